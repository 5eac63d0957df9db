/* Yangguang page behaviour shared by every page. No user data is ever placed inside
   JavaScript source: questions and values come from data- attributes. */

/* Irreversible actions ask once: the question (naming the object and amount) is in the form's
   data-confirm attribute. */
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
}, true);
