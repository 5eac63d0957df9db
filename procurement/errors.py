"""Domain errors of procurement, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, ValidationError


class ListingNotOrderableError(DomainError):
    code = "listing_not_orderable"
    message_template = _("%(product)s cannot be ordered: %(reason)s")


class ListingForbiddenError(DomainError):
    """[R-LABELS] a 严禁 (forbidden) product cannot be ordered."""

    code = "listing_forbidden"
    message_template = _("%(product)s carries the purchase label Forbidden and cannot be ordered.")


class RestrictedReasonRequiredError(ValidationError):
    """[R-LABELS] a 限制 (restricted) product needs a written reason on each order line."""

    code = "restricted_reason_required"
    message_template = _("%(product)s is Restricted: give a reason for ordering it.")


class AlternateCapExceededError(DomainError):
    """[R-LIST-ALT-CAP] alternate-catalogue purchases over the cap."""

    code = "alternate_cap_exceeded"
    message_template = _(
        "Alternate-catalogue purchases would reach %(would_be)s, over the cap of %(cap)s "
        "(%(ratio)s of the annual purchase total %(total)s); %(remaining)s remains."
    )


class PurchasePlanMissingError(DomainError):
    code = "purchase_plan_missing"
    message_template = _(
        "The hospital bought nothing on the platform in %(previous_year)s and has no approved "
        "annual purchase total for %(year)s, so the alternate-catalogue cap is zero. Hospital "
        "finance proposes a total on the purchase plan page for the bureau to approve."
    )


class PriceAboveCapError(ValidationError):
    """[R-LIST-PRICE-CAP] a price above the reference price (or the listed price)."""

    code = "price_above_cap"
    message_template = _("The price %(price)s is above the cap %(cap)s (%(cap_kind)s).")


# --- Listings, labels, agreed prices and purchase plans ---------------------------------------


class ReasonRequiredError(ValidationError):
    """A bureau decision (reject, suspend, delist, label) or a refusal needs a written reason."""

    code = "reason_required"
    message_template = _("Give a reason for this decision.")


class ListingExistsError(DomainError):
    """One live listing per manufacturer and product (delisted ones do not count)."""

    code = "listing_exists"
    http_status = 409
    message_template = _("You already have listing %(listing)s for this product.")


class ConsumableNotListableError(ValidationError):
    code = "consumable_not_listable"
    message_template = _("%(product)s cannot be listed: %(reason)s")


class RegistrationNumberMismatchError(ValidationError):
    """The certificate given differs from the one the national database records."""

    code = "registration_number_mismatch"
    message_template = _(
        "Registration certificate %(given)s does not match %(expected)s, the certificate the "
        "national database records for this product."
    )


class ListingCriteriaNotMetError(DomainError):
    """[R-LIST-GREEN] [R-LIST-OTHER] an alternate-catalogue product qualifies through a green
    channel, listings in enough provinces, or enough emergency purchases."""

    code = "listing_criteria_not_met"
    message_template = _(
        "No reference price and no listing criterion met: no green channel, listed in "
        "%(provinces)s provinces (at least %(min_provinces)s needed), emergency purchases by "
        "%(emergency_hospitals)s tier-2+ hospitals of which %(emergency_tier3)s tier-3 (at least "
        "%(min_emergency_hospitals)s and %(min_emergency_tier3)s needed)."
    )


class ProvincesNotCheckedError(ValidationError):
    """[R-LIST-OTHER] approval through the provinces route records that the bureau checked
    the evidence of each province."""

    code = "provinces_not_checked"
    message_template = _(
        "The product qualifies only by the %(provinces)s provinces already listing it: confirm "
        "that their evidence was checked."
    )


class EvidenceFileInvalidError(ValidationError):
    """[R-LIST-OTHER] an evidence file must be a PDF, PNG or JPEG by its content (the name
    and the declared type are not trusted), whole, and no larger than the limit."""

    code = "evidence_file_invalid"
    message_template = _("%(name)s cannot be attached: %(reason)s")


class EvidenceFileTooLargeError(ValidationError):
    code = "evidence_file_too_large"
    http_status = 413
    message_template = _("%(name)s is larger than %(max_mb)s MB: attach a smaller file.")


class EvidenceFilesTooManyError(ValidationError):
    code = "evidence_files_too_many"
    message_template = _("A listing has at most %(max)s evidence files.")


class PriceChangePendingError(DomainError):
    code = "price_change_pending"
    http_status = 409
    message_template = _("Price change %(price_change)s is still waiting for review.")


class PriceUnchangedError(ValidationError):
    code = "price_unchanged"
    message_template = _("The new price equals the current price %(price)s.")


class DistributorInvalidError(ValidationError):
    code = "distributor_invalid"
    message_template = _("%(distributor)s is not an active distributor.")


class RegionInvalidError(ValidationError):
    code = "region_invalid"
    message_template = _("%(region)s is not a current GB/T 2260 region code.")


class AgreedPriceExistsError(DomainError):
    code = "agreed_price_pending"
    http_status = 409
    message_template = _(
        "Agreed price %(agreed_price)s for this product and hospital is still waiting for an "
        "answer."
    )


class AgreedPriceOwnProposalError(DomainError):
    """The side that proposed a price cannot also accept or decline it."""

    code = "agreed_price_own_proposal"
    http_status = 403
    message_template = _("The other side must answer this proposal.")


class AgreedPriceDatesInvalidError(ValidationError):
    code = "agreed_price_dates_invalid"
    message_template = _(
        "The agreed price must end on or after it starts (%(valid_from)s), and not in the past."
    )


class PurchasePlanYearInvalidError(ValidationError):
    code = "purchase_plan_year_invalid"
    message_template = _("%(year)s is not a year a purchase plan can be set for.")


class YearOutOfRangeError(ValidationError):
    code = "year_out_of_range"
    message_template = _("%(year)s is not a year between %(first)s and %(last)s.")


# --- Orders, deliveries, invoices, usage and the change feed (services/orders.py and siblings).


class QuantityInvalidError(ValidationError):
    code = "quantity_invalid"
    message_template = _("Line %(line)s: the quantity %(value)s must be a whole number above 0.")


class OrderEmptyError(ValidationError):
    code = "order_empty"
    message_template = _("Give at least one line.")


class OrderLineDuplicateError(ValidationError):
    code = "order_line_duplicate"
    message_template = _("Line %(line)s repeats %(what)s %(id)s: give each one once.")


class OrderLineUnknownError(ValidationError):
    code = "order_line_unknown"
    message_template = _("Line %(line)s: %(what)s %(id)s is not part of %(parent)s.")


class ClientPriceRefusedError(ValidationError):
    """[R-ORDER-ONLINE] prices come from the platform, never from the client."""

    code = "client_price_refused"
    message_template = _(
        "Line %(line)s sends %(field)s: prices are computed by the platform; leave it out."
    )


class PromisedDateInvalidError(ValidationError):
    code = "promised_date_invalid"
    message_template = _("The promised delivery date %(value)s must be today or later.")


class DeliveredByDistributorError(DomainError):
    """[R-ORDER-DELIVERY] the manufacturer named a distributor on the order: it delivers."""

    code = "delivered_by_distributor"
    http_status = 403
    message_template = _(
        "%(distributor)s, named on the order, delivers it: create the delivery note there, or "
        "change the order's distributor first."
    )


class DistributorNotAuthorisedError(DomainError):
    """[R-ORDER-DELIVERY] only the manufacturer or a distributor it authorised for the
    hospital's region delivers."""

    code = "distributor_not_authorised"
    http_status = 403
    message_template = _(
        "%(distributor)s is not authorised to deliver %(product)s in the hospital's region "
        "%(region)s."
    )


class DeliveryQuantityExceededError(ValidationError):
    code = "delivery_quantity_exceeded"
    message_template = _(
        "%(product)s: %(requested)s would be delivered but only %(outstanding)s of the "
        "confirmed %(confirmed)s remain to deliver."
    )


class UdiMissingError(ValidationError):
    code = "udi_missing"
    message_template = _("%(product)s: %(missing)s is required (scan the UDI barcode).")


class UdiUnknownError(ValidationError):
    code = "udi_unknown"
    message_template = _(
        "UDI-DI %(di)s is not in the platform's UDI catalogue, so the product cannot be checked."
    )


class UdiProductMismatchError(ValidationError):
    code = "udi_product_mismatch"
    message_template = _("UDI-DI %(di)s is %(scanned)s, not the ordered %(expected)s.")


class LotExpiredError(ValidationError):
    code = "lot_expired"
    message_template = _("%(product)s lot %(lot)s expired on %(expiry_date)s.")


class ScanLotMismatchError(ValidationError):
    code = "scan_lot_mismatch"
    message_template = _(
        "The scanned %(field)s %(scanned)s differs from %(declared)s on the delivery note."
    )


class AcceptanceIncompleteError(ValidationError):
    code = "acceptance_incomplete"
    message_template = _(
        "Delivery line %(line)s: accepted %(accepted)s + refused %(refused)s must equal the "
        "delivered %(delivered)s."
    )


class NothingToDeliverError(DomainError):
    """Every confirmed line of the order is delivered in full."""

    code = "nothing_to_deliver"
    http_status = 409
    message_template = _("Nothing is left to deliver on this order.")


class NothingToInvoiceError(DomainError):
    """Everything kept on the order is on an invoice already (or nothing was accepted yet)."""

    code = "nothing_to_invoice"
    http_status = 409
    message_template = _("Nothing accepted on this order is waiting to be invoiced.")


class NothingToReturnError(DomainError):
    """Everything accepted on the note was returned, or is invoiced (settled by the invoice)."""

    code = "nothing_to_return"
    http_status = 409
    message_template = _("Nothing on this delivery note can be returned now.")


class ReturnQuantityExceededError(ValidationError):
    code = "return_quantity_exceeded"
    message_template = _(
        "%(requested)s cannot be returned: %(available)s accepted and not yet invoiced remain."
    )


class TwoInvoiceRuleError(DomainError):
    """[R-TWO-INVOICE] the issuer is the manufacturer or its authorised distributor for the
    hospital's region."""

    code = "two_invoice_rule"
    message_template = _(
        "%(issuer)s may not invoice %(product)s to this hospital: only the manufacturer or a "
        "distributor it authorised for region %(region)s may (two-invoice rule)."
    )


class InvoiceAmountMismatchError(ValidationError):
    code = "invoice_amount_mismatch"
    message_template = _(
        "Line %(line)s: the amount %(amount)s must be %(quantity)s × %(unit_price)s = %(expected)s."
    )


class InvoiceTotalMismatchError(ValidationError):
    code = "invoice_total_mismatch"
    message_template = _("The invoice amount %(amount)s must equal the sum of its lines %(sum)s.")


class InvoiceExceedsAcceptedError(ValidationError):
    code = "invoice_exceeds_accepted"
    message_template = _(
        "%(product)s: %(requested)s cannot be invoiced; %(available)s accepted and not yet "
        "invoiced remain."
    )


class InvoiceNumberInvalidError(ValidationError):
    """The number is neither a fully digitalised e-invoice number (数电发票, 20 digits) nor a
    VAT invoice code (10 or 12 digits) with its 8-digit number."""

    code = "invoice_number_invalid"
    message_template = _(
        "Invoice number %(value)s: give the 20-digit number of a fully digitalised e-invoice, "
        "or the VAT invoice code (10 or 12 digits) and its 8-digit number, e.g. "
        "144031900111-12345678."
    )

    def __init__(self, *, value: str) -> None:
        super().__init__(field="number", value=value)
        self.extra["fields"] = {"number": [self.message]}


class InvoiceNumberTakenError(ValidationError):
    code = "invoice_number_taken"
    message_template = _("Invoice number %(number)s of this issuer is already registered.")


class InvoiceDateInvalidError(ValidationError):
    code = "invoice_date_invalid"
    message_template = _("The invoice date %(value)s is in the future.")


class PatientHashInvalidError(ValidationError):
    code = "patient_hash_invalid"
    message_template = _(
        "Record %(record)s: send a hex digest (at least 32 characters) of the patient case "
        "number, never the case number itself."
    )


class UsedAtInvalidError(ValidationError):
    code = "used_at_invalid"
    message_template = _("Record %(record)s: the time of use %(value)s is in the future.")


class UsageSerialUsedError(ValidationError):
    code = "usage_serial_used"
    message_template = _("Record %(record)s: %(di)s serial %(serial)s was already used.")


class CursorInvalidError(ValidationError):
    code = "cursor_invalid"
    message_template = _("The cursor %(value)s is not one this feed returned.")


# --- Volume-based procurement: rounds, winning rules, demand ----------------------------------


class WinningRuleInvalidError(ValidationError):
    """A winning rule that is not a structure procurement.winning_rules knows, or that the
    group cannot satisfy. ``extra.path`` says where (``condition.of[1].k``)."""

    code = "winning_rule_invalid"
    message_template = _("The winning rule is invalid at %(path)s: %(problem)s")


class GroupFilterInvalidError(ValidationError):
    """A product group's national-code prefixes or attribute filters that select nothing
    sensible (no prefix, a prefix with letters out of place, an unknown attribute)."""

    code = "group_filter_invalid"
    message_template = _("The product filter is invalid: %(problem)s")


class RoundDatesInvalidError(ValidationError):
    """The round's dates out of order: demand deadline <= bid deadline <= opening time <
    publicity end, the cycle starting before it ends, and at publication every date ahead."""

    code = "round_dates_invalid"
    message_template = _("The round's dates are invalid: %(problem)s")


class RoundIncompleteError(DomainError):
    """A round cannot be published without product groups."""

    code = "round_incomplete"
    message_template = _("The round cannot be published yet: %(problem)s")


class AmendmentEmptyError(ValidationError):
    code = "amendment_empty"
    message_template = _("The amendment changes nothing.")


class DemandLockedError(DomainError):
    """[R-VBP-VOLUME] base volumes lock at the round's demand deadline."""

    code = "demand_locked"
    http_status = 409
    message_template = _(
        "Demand for this round locked at its deadline %(deadline)s; it can no longer be "
        "reported or changed."
    )


class DemandGroupUnknownError(ValidationError):
    code = "demand_group_unknown"
    message_template = _("Product group %(group)s is not part of this round.")


class DemandVolumeInvalidError(ValidationError):
    code = "demand_volume_invalid"
    message_template = _("A base volume is a whole number of units, zero or more (got %(value)s).")


class DryRunBidsInvalidError(ValidationError):
    code = "dry_run_bids_invalid"
    message_template = _("Hypothetical bids: %(problem)s")


class RoundFieldInvalidError(ValidationError):
    code = "round_field_invalid"
    message_template = _("%(problem)s")


class GroupCodeTakenError(ValidationError):
    code = "group_code_taken"
    message_template = _("Group code %(code)s is already used in this round.")


class DemandUploadInvalidError(ValidationError):
    code = "demand_upload_invalid"
    message_template = _("The demand workbook cannot be read: %(problem)s")


# --- Volume-based procurement: awards, allocation, contracts, renewal ---------------------------


class ResultsNotAppliedError(DomainError):
    """The round is final but its results have not been applied yet (round_apply_results)."""

    code = "results_not_applied"
    http_status = 409
    message_template = _("The results of round %(round)s have not been applied yet.")


class ChoiceWindowClosedError(DomainError):
    """Hospitals choose among the winners until the round's choice deadline, and not once the
    volume is allocated."""

    code = "choice_window_closed"
    http_status = 409
    message_template = _("Choices among the winners closed on %(deadline)s.")


class ChoiceWindowOpenError(DomainError):
    """The volume is allocated after the hospitals' choice deadline."""

    code = "choice_window_open"
    http_status = 409
    message_template = _(
        "Hospitals may choose among the winners until %(deadline)s; allocate after that."
    )


class AlreadyAllocatedError(DomainError):
    code = "already_allocated"
    http_status = 409
    message_template = _("The agreed volume of this round was allocated on %(at)s.")


class ChoiceNotWinnerError(ValidationError):
    code = "choice_not_winner"
    message_template = _("Line %(line)s: %(product)s is not a winner of this round's groups.")


class ChoiceQuantityInvalidError(ValidationError):
    code = "choice_quantity_invalid"
    message_template = _("Line %(line)s: a quantity is a whole number of units above zero.")


class ChoiceExceedsVolumeError(ValidationError):
    """[R-VBP-VOLUME] the choices of a group add up to at most the hospital's agreed volume."""

    code = "choice_exceeds_volume"
    message_template = _(
        "Group %(group)s: the choices add up to %(chosen)s, above your agreed volume of %(agreed)s."
    )


class ContractAlreadySignedError(DomainError):
    code = "contract_already_signed"
    http_status = 409
    message_template = _("%(party)s has already signed contract %(number)s.")


class ContractNotPartyError(DomainError):
    """A user who sees a contract signs only for the party of their own organisation."""

    code = "contract_not_party"
    http_status = 403
    message_template = _("Your organisation is not a party that signs contract %(number)s.")


class RenewalTooEarlyError(DomainError):
    """[R-VBP-CONTRACT] renewal is decided at the end of the cycle."""

    code = "renewal_too_early"
    http_status = 409
    message_template = _(
        "The cycle of group %(group)s ends on %(cycle_end)s; its renewal is decided from %(from)s."
    )


class RenewalNothingToRenewError(DomainError):
    code = "renewal_nothing_to_renew"
    http_status = 409
    message_template = _("Group %(group)s has no contract in force to renew or close.")


class PriceCutInvalidError(ValidationError):
    code = "price_cut_invalid"
    message_template = _("A price cut is a share from 0 up to (not including) 1, e.g. 0.05.")


class EmergencyDateInFutureError(ValidationError):
    """[R-EMERG-DEADLINE] a purchase is registered after it was made, never before."""

    code = "emergency_date_in_future"
    message_template = _("The purchase date %(bought_on)s is in the future.")


class EmergencyListedReasonRequiredError(ValidationError):
    """An emergency purchase is for products the platform lacks: one listed and orderable
    needs a stated reason."""

    code = "emergency_listed_reason_required"
    message_template = _(
        "%(products)s can be ordered on the platform: state why it was bought in emergency."
    )


class EmergencyLinesRequiredError(ValidationError):
    code = "emergency_lines_required"
    message_template = _("Register at least one product bought.")


# --- Sealed bids and the opening (issue #12 items 4-5) ---------------------------------------


class CustodiansInvalidError(ValidationError):
    """The custodians of a round: bureau officers of its region, one of them the
    discipline-inspection officer, at least k and at most 9 of them, each once."""

    code = "custodians_invalid"
    message_template = _("The key custodians cannot be named so: %(problem)s")


class RoundKeyMissingError(DomainError):
    """A round published without custodians has no key: it takes no sealed bids."""

    code = "round_key_missing"
    http_status = 409
    message_template = _("Round %(round)s has no key: it was published without key custodians.")


class SharesNotCollectedError(DomainError):
    """No bid exists while the server could still rebuild the round's key."""

    code = "shares_not_collected"
    http_status = 409
    message_template = _(
        "Round %(round)s takes bids once every custodian has collected their key share "
        "(%(collected)s of %(custodians)s so far)."
    )


class BidDeadlinePassedError(DomainError):
    code = "bid_deadline_passed"
    http_status = 409
    message_template = _("The bid deadline of round %(round)s passed at %(deadline)s.")


class BidProductNotInGroupError(ValidationError):
    code = "bid_product_not_in_group"
    message_template = _("Product %(product)s is not one of group %(group)s's products.")


class BidProductNotOwnError(ValidationError):
    code = "bid_product_not_own"
    message_template = _("Product %(product)s is not made by your organisation.")


class BidSupplierBarredError(DomainError):
    code = "bid_supplier_barred"
    http_status = 403
    message_template = _("Your organisation is barred from bidding (%(reason)s).")


class BidNotLiveError(DomainError):
    code = "bid_not_live"
    http_status = 409
    message_template = _("This bid was already replaced or withdrawn.")


class BidAlreadyLiveError(DomainError):
    """One live bid per product: a second one replaces the first (name it in ``replaces``)."""

    code = "bid_already_live"
    http_status = 409
    message_template = _(
        "Product %(product)s already has a live bid (receipt %(receipt)s): replace or withdraw it."
    )


class NotCustodianError(DomainError):
    code = "not_custodian"
    http_status = 403
    message_template = _("You are not a key custodian of round %(round)s.")


class ShareAlreadyCollectedError(DomainError):
    code = "share_already_collected"
    http_status = 409
    message_template = _("You collected your key share of round %(round)s on %(at)s.")


class ShareAlreadyEnteredError(DomainError):
    code = "share_already_entered"
    http_status = 409
    message_template = _("You entered your key share of round %(round)s on %(at)s.")


class OpeningTooEarlyError(DomainError):
    code = "opening_too_early"
    http_status = 409
    message_template = _("Round %(round)s opens at %(opening_at)s; shares are entered from then.")


class PublicityNotOverError(DomainError):
    code = "publicity_not_over"
    http_status = 409
    message_template = _("The publicity of round %(round)s ends at %(publicity_end)s.")


# --- Negotiation [R-NEGOTIATION] -------------------------------------------------------------


class NegotiationDeadlinePassedError(DomainError):
    """[R-NEGOTIATION] an offer after the round's deadline."""

    code = "negotiation_deadline_passed"
    http_status = 409
    message_template = _("The offers of round %(round)s were due by %(deadline)s.")


class NegotiationNotInvitedError(DomainError):
    """[R-NEGOTIATION] a supplier offers only for its own products of the negotiation."""

    code = "negotiation_not_invited"
    http_status = 403
    message_template = _("Your organisation is not invited to offer for this product.")


class NegotiationDeadlineInvalidError(ValidationError):
    code = "negotiation_deadline_invalid"
    message_template = _("The deadline %(deadline)s must be today or later.")


class NegotiationProductsRequiredError(ValidationError):
    code = "negotiation_products_required"
    message_template = _("Choose the products to negotiate, or a manufacturer's portfolio.")


class NegotiationHospitalsRequiredError(ValidationError):
    code = "negotiation_hospitals_required"
    message_template = _("Choose the hospitals, or all hospitals of the region.")


class NegotiationNothingAgreedError(DomainError):
    """A negotiation concludes with at least one agreement; one without is cancelled."""

    code = "negotiation_nothing_agreed"
    http_status = 409
    message_template = _("No product is agreed yet: accept an offer first, or cancel.")


class NegotiationAlreadyOpenedError(DomainError):
    """[R-NEGOTIATION] the quarterly negotiation opens once per region and quarter."""

    code = "negotiation_already_opened"
    http_status = 409
    message_template = _("The negotiation of %(period)s is already open.")


class NegotiationImportInvalidError(ValidationError):
    """[R-NEGOTIATION] NJ 2.3: a workbook of other regions' winning prices that cannot be read;
    nothing is written. ``extra``: ``row`` and ``column`` (Excel's: 2, "C") where it failed."""

    code = "negotiation_import_invalid"
    message_template = _(
        "The workbook cannot be imported: row %(row)s, column %(column)s: %(problem)s"
    )


class NegotiationNothingToMatchError(DomainError):
    """NJ 2.3: no listed product is priced above the winning prices imported."""

    code = "negotiation_nothing_to_match"
    http_status = 409
    message_template = _(
        "No listed product is priced above the winning prices imported: nothing to negotiate."
    )


# --- The hospital's own catalogue (院内目录) [R-HOSP-CATALOGUE] -------------------------------


class CatalogueNotAdmittedError(DomainError):
    """[R-HOSP-CATALOGUE] the hospital orders only what its committee admitted."""

    code = "catalogue_not_admitted"
    message_template = _(
        "%(product)s is not in the hospital's catalogue: the committee has not admitted it, so "
        "it cannot be ordered."
    )


class CatalogueStoppedError(DomainError):
    """[R-HOSP-CATALOGUE] a product stopped for the hospital (停用) cannot be ordered."""

    code = "catalogue_stopped"
    message_template = _(
        "%(product)s is stopped in the hospital's catalogue (since %(since)s: %(reason)s) and "
        "cannot be ordered."
    )


class CatalogueEntryExistsError(DomainError):
    """A listing is admitted once per hospital; a stopped one is resumed, not admitted again."""

    code = "catalogue_entry_exists"
    http_status = 409
    message_template = _("%(product)s is already in the hospital's catalogue (%(status)s).")


class CatalogueListingNotAdmissibleError(ValidationError):
    """Only products listed on the platform are admitted."""

    code = "catalogue_listing_not_admissible"
    message_template = _(
        "%(product)s cannot be admitted: its listing is %(status)s; only listed products are."
    )


class CatalogueDecisionRequiredError(ValidationError):
    """An admission names the committee's decision: its date (not in the future) and
    reference."""

    code = "catalogue_decision_required"
    message_template = _(
        "Give the committee's decision date (not in the future) and reference number."
    )


class OrderDepartmentRequiredError(ValidationError):
    """[R-HOSP-CATALOGUE] an order names the department that asked for it."""

    code = "order_department_required"
    message_template = _("Name the requesting department of the order.")
