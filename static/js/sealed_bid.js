/* Sealed bids: the price is encrypted in the bidder's browser, so it never reaches the server in
   plain text (docs/sealed-bids.md). An ES module:

     <script type="module" src="{% static 'js/sealed_bid.js' %}"></script>

   It binds every <form data-sealed-bid> on the page. The form carries, as data- attributes
   (no user data inside JavaScript source):
     data-sealed-key      id of a <script type="application/json"> holding the round's public
                          JWK (Django's json_script filter), with kid = the round's fingerprint
     data-sealed-round    the round's id, sealed into the payload
     data-sealed-product  the product's id; or a form control [data-sealed-product-field]
     data-sealed-max      the group's maximum valid price, e.g. "500.00"
     data-msg-invalid, data-msg-above-max, data-msg-failed
                          the translated messages shown next to the price ({max} is replaced)
     data-msg-companion-invalid, data-msg-companion-above-max, data-msg-companion-below
                          the same for the price with companion service ({price}, {max})
   and contains
     <input data-sealed-price>       the plaintext price, best without a name attribute
     <input data-sealed-companion-price>   optional: the price with companion service (伴随服务),
                                     empty for none; not below the price, not above the maximum
     <input type="hidden" data-sealed-envelope name="envelope">   receives the compact JWE
     <... data-sealed-error>         where a refusal is shown (optional)

   On submit: the price is checked (positive, at most 2 decimals, not above the maximum; exact,
   in cents, no floating point), and so is the companion price when given (also not below the
   price), the payload {"price", "companion_price", "product", "round", "nonce"} is sealed as a
   compact JWE (ECDH-ES, P-256, A256GCM) with the vendored jose library ("companion_price" is
   "" when none is offered, so the envelope does not tell), the JWE goes into the hidden field,
   the plaintext fields are emptied and disabled (so they are not sent), and the form is
   submitted. The server checks everything else at submission and again at opening. */

import { CompactEncrypt, importJWK } from "../vendor/jose/index.js";

const PRICE = /^(\d{1,16})(?:\.(\d{1,2}))?$/;

/* "1,234.5" -> 123450n (cents), or null when it is not an amount. */
export function priceCents(text) {
  const clean = String(text).trim().replace(/[,\s]/g, "").replace(/^¥/, "");
  const match = PRICE.exec(clean);
  if (!match) { return null; }
  return BigInt(match[1]) * 100n + BigInt((match[2] || "").padEnd(2, "0"));
}

export function formatCents(cents) {
  const whole = cents / 100n;
  const part = (cents % 100n).toString().padStart(2, "0");
  return `${whole}.${part}`;
}

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/* Seal one bid: the same compact JWE core/sealed/envelopes.py seal_bid makes. */
export async function sealBid(publicJwk, { price, companionPrice = "", product, round }) {
  const key = await importJWK(
    { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y }, "ECDH-ES");
  const payload = JSON.stringify({
    price, companion_price: companionPrice, product: String(product), round: String(round), nonce: nonce(),
  });
  return new CompactEncrypt(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", kid: publicJwk.kid })
    .encrypt(key);
}

function showError(form, message, selector = "[data-sealed-price]") {
  const box = form.querySelector("[data-sealed-error]");
  const field = form.querySelector(selector);
  if (field) { field.setAttribute("aria-invalid", "true"); field.classList.add("is-invalid"); }
  if (box) { box.textContent = message; box.hidden = false; }
}

function clearError(form) {
  const box = form.querySelector("[data-sealed-error]");
  for (const field of form.querySelectorAll("[data-sealed-price], [data-sealed-companion-price]")) {
    field.removeAttribute("aria-invalid"); field.classList.remove("is-invalid");
  }
  if (box) { box.textContent = ""; box.hidden = true; }
}

function message(form, name, fallback, values = {}) {
  const template = form.dataset[name] || fallback;
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

async function onSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-sealed-bid")) { return; }
  if (event.defaultPrevented) { return; } // e.g. a data-confirm question answered "no"
  event.preventDefault();
  event.stopImmediatePropagation();
  if (form.dataset.sealedBusy === "1") { return; }
  clearError(form);
  const field = form.querySelector("[data-sealed-price]");
  const envelope = form.querySelector("[data-sealed-envelope]");
  const cents = priceCents(field ? field.value : "");
  if (cents === null || cents <= 0n) {
    showError(form, message(form, "msgInvalid", "Enter a price above zero with at most 2 decimals."));
    return;
  }
  const maximum = form.dataset.sealedMax ? priceCents(form.dataset.sealedMax) : null;
  if (maximum !== null && cents > maximum) {
    showError(form, message(form, "msgAboveMax",
      "The price is above the group's maximum valid price {max}.", { max: formatCents(maximum) }));
    return;
  }
  // [R-VBP-COMPANION] the optional price with companion service, checked like the price.
  const companionField = form.querySelector("[data-sealed-companion-price]");
  const companionText = companionField ? companionField.value.trim() : "";
  let companionPrice = "";
  if (companionText !== "") {
    const companion = "[data-sealed-companion-price]";
    const companionCents = priceCents(companionText);
    if (companionCents === null || companionCents <= 0n) {
      showError(form, message(form, "msgCompanionInvalid",
        "Enter a price with companion service above zero with at most 2 decimals, or leave it empty."), companion);
      return;
    }
    if (maximum !== null && companionCents > maximum) {
      showError(form, message(form, "msgCompanionAboveMax",
        "The price with companion service is above the group's maximum valid price {max}.",
        { max: formatCents(maximum) }), companion);
      return;
    }
    if (companionCents < cents) {
      showError(form, message(form, "msgCompanionBelow",
        "The price with companion service is below the price without it ({price}).",
        { price: formatCents(cents) }), companion);
      return;
    }
    companionPrice = formatCents(companionCents);
  }
  const productField = form.querySelector("[data-sealed-product-field]");
  const product = productField ? productField.value : form.dataset.sealedProduct;
  form.dataset.sealedBusy = "1";
  try {
    const jwk = JSON.parse(document.getElementById(form.dataset.sealedKey).textContent);
    envelope.value = await sealBid(jwk, {
      price: formatCents(cents), companionPrice, product, round: form.dataset.sealedRound,
    });
  } catch (error) {
    delete form.dataset.sealedBusy;
    envelope.value = "";
    showError(form, message(form, "msgFailed", "The bid could not be sealed in this browser."));
    return;
  }
  // The plaintext leaves the page only inside the envelope.
  field.value = "";
  field.disabled = true;
  if (companionField) { companionField.value = ""; companionField.disabled = true; }
  form.submit();
}

// Capture phase, so that the price is sealed before any other submit handler sees the form.
document.addEventListener("submit", onSubmit, true);
