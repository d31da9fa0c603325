package flows

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/larkspur-labs/assist/internal/datasets"
)

// LoadABCD reads the agent guidelines of ASAPP's Action-Based Conversations
// Dataset from dir and returns one flow per subflow, in the guidelines'
// order:
//   - kb.json maps each subflow ID to its ordered actions, the flow's Steps;
//   - ontology.json lists each flow's subflow IDs ("account_access":
//     ["recover_username", ...]);
//   - guidelines.json holds, per flow title ("Account Access"), a
//     description and per subflow title ("Recover Username") the
//     instructions and step text that become the Description.
//
// guidelines.json names subflows by title, not ID; the n-th subflow of a
// flow in guidelines.json is the n-th of the same flow in ontology.json (the
// two files list them in the same order), and LoadABCD checks the counts
// match. Step titles, cues and per-subflow keywords come from this
// package's tables (stepTitles, stepCues, subflowKeywords).
func LoadABCD(dir string) ([]Flow, error) {
	guide, err := datasets.Load(filepath.Join(dir, datasets.ABCDGuidelinesFile), datasets.ReadABCDGuidelines)
	if err != nil {
		return nil, fmt.Errorf("load abcd: %w", err)
	}
	kb, err := datasets.Load(filepath.Join(dir, datasets.ABCDKBFile), datasets.ReadABCDKB)
	if err != nil {
		return nil, fmt.Errorf("load abcd: %w", err)
	}
	onto, err := datasets.Load(filepath.Join(dir, datasets.ABCDOntologyFile), datasets.ReadABCDOntology)
	if err != nil {
		return nil, fmt.Errorf("load abcd: %w", err)
	}
	if len(onto.Subflows) == 0 {
		return nil, fmt.Errorf("load abcd %s: no intents.subflows", filepath.Join(dir, datasets.ABCDOntologyFile))
	}
	var out []Flow
	var problems []error
	for _, g := range guide {
		group := groupID(g.Title)
		ids, ok := onto.Subflows[group]
		if !ok {
			problems = append(problems, fmt.Errorf("%s: flow %q (%q) is not in %s intents.subflows", datasets.ABCDGuidelinesFile, g.Title, group, datasets.ABCDOntologyFile))
			continue
		}
		if len(ids) != len(g.Subflows) {
			problems = append(problems, fmt.Errorf("%s: flow %q has %d subflows, %s has %d", datasets.ABCDGuidelinesFile, g.Title, len(g.Subflows), datasets.ABCDOntologyFile, len(ids)))
			continue
		}
		for i, sub := range g.Subflows {
			actions, ok := kb[ids[i]]
			if !ok || len(actions) == 0 {
				problems = append(problems, fmt.Errorf("%s: subflow %q has no actions", datasets.ABCDKBFile, ids[i]))
				continue
			}
			f := Flow{
				ID:          ids[i],
				Group:       group,
				Title:       sub.Title,
				Description: g.Description + "\n" + subflowText(sub),
				Keywords:    subflowKeywords[ids[i]],
			}
			for _, a := range actions {
				f.Steps = append(f.Steps, NewStep(a))
			}
			out = append(out, f)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, fmt.Errorf("load abcd %s: %w", dir, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load abcd %s: no flows in %s", dir, datasets.ABCDGuidelinesFile)
	}
	return out, nil
}

// subflowText is a subflow's title, instructions and step text as one
// string.
func subflowText(s datasets.ABCDSubflow) string {
	parts := append([]string{s.Title}, s.Instructions...)
	for _, a := range s.Actions {
		parts = append(parts, a.Text)
		parts = append(parts, a.Subtext...)
	}
	return strings.Join(parts, "\n")
}

// NewStep returns the step for an action ID with its title and cues from
// this package's tables; an unknown action gets its ID as title and no cues.
func NewStep(actionID string) Step {
	title := stepTitles[actionID]
	if title == "" {
		title = strings.ReplaceAll(actionID, "-", " ")
		if title != "" {
			title = strings.ToUpper(title[:1]) + title[1:]
		}
	}
	return Step{ID: actionID, Title: title, Cues: stepCues[actionID]}
}

// groupID turns a flow title of guidelines.json into its ontology ID:
// "Single-Item Query" is "single_item_query".
func groupID(title string) string {
	return strings.ReplaceAll(normalize(title), " ", "_")
}

// faqSuffix is the question number ABCD appends to FAQ subflows in
// scenarios ("timing_4").
var faqSuffix = regexp.MustCompile(`_\d+$`)

// SubflowID maps a scenario's subflow to a flow ID: as it is when
// known, else without a trailing question number ("timing_4" is "timing").
func SubflowID(subflow string, known func(string) bool) string {
	if known(subflow) {
		return subflow
	}
	return faqSuffix.ReplaceAllString(subflow, "")
}

// stepTitles says each ABCD action to a person.
var stepTitles = map[string]string{
	"pull-up-account":     "Pull up the account",
	"verify-identity":     "Verify the customer's identity",
	"validate-purchase":   "Validate the purchase",
	"record-reason":       "Record the reason",
	"enter-details":       "Enter the details",
	"make-password":       "Make a new password",
	"send-link":           "Send a link",
	"ask-the-oracle":      "Ask the oracle whether the claim is valid",
	"update-account":      "Update the account",
	"offer-refund":        "Offer a refund",
	"promo-code":          "Offer a promo code",
	"membership":          "Check the membership privileges",
	"update-order":        "Update the order",
	"shipping-status":     "Check the shipping status",
	"make-purchase":       "Make the purchase for the customer",
	"notify-team":         "Notify the internal team",
	"subscription-status": "Check the subscription status",
	"try-again":           "Ask the customer to try again",
	"log-out-in":          "Ask the customer to log out and back in",
	"instructions":        "Give troubleshooting instructions",
	"search-faq":          "Search the FAQ",
	"search-boots":        "Open the boots FAQ",
	"search-shirt":        "Open the shirt FAQ",
	"search-jeans":        "Open the jeans FAQ",
	"search-jacket":       "Open the jacket FAQ",
	"search-pricing":      "Open the pricing FAQ",
	"search-membership":   "Open the membership FAQ",
	"search-timing":       "Open the timing FAQ",
	"search-policy":       "Open the policy FAQ",
	"select-faq":          "Select the FAQ answer",
}

// stepCues are what an agent says while or after taking each action. They
// come from the guidelines' step text (what to ask for: "Full Name or
// Account ID", "username, email and order ID" for [Validate Purchase], "zip
// code" for [Verify Identity]) and from how agents put it in chats. A cue
// that names another action's inputs would tick the wrong step, so shared
// inputs ("order id") are left out. The FAQ toggles (search-boots ...) have
// no cues: nothing the agent says shows that a toggle was clicked.
var stepCues = map[string][]string{
	"pull-up-account": {"full name", "your name", "account id", "pull up your account", "pulled up your account",
		"pulling up your account", "pull up the account", "look up your account", "locate your account"},
	"verify-identity": {"verify your identity", "verify identity", "confirm your identity", "zip code",
		"verify your account", "identity verified"},
	"validate-purchase": {"validate your purchase", "validate the purchase", "verify your purchase",
		"verify the purchase", "purchase validation", "username email", "order id and email", "email and order id"},
	"record-reason": {"reason for", "the reason", "record the reason", "how did you hear", "where did you hear",
		"why do you"},
	"enter-details": {"phone number", "full address", "shipping address", "your address", "enter the details",
		"entered the details", "enter your details"},
	"make-password": {"new password", "generate a password", "pin number", "security question", "security answer"},
	"send-link":     {"send you a link", "sent you a link", "sending you a link", "sending a link", "the link", "reset code"},
	"ask-the-oracle": {"check the system", "check our system", "checking the system", "checking our system",
		"check with the system", "let me look into"},
	"update-account": {"update your account", "updated your account", "updating your account", "change on your account",
		"account has been updated", "account is updated"},
	"offer-refund": {"offer you a refund", "issue a refund", "issue you a refund", "refund you", "refund of",
		"been refunded", "refunded"},
	"promo-code": {"promo code", "promotional code", "discount code", "coupon"},
	"membership": {"membership level", "membership status", "member level", "gold member", "silver member",
		"bronze member", "guest member"},
	"update-order": {"update your order", "updated your order", "update the order", "change your order",
		"changed your order", "process the return", "process your return", "by mail", "in store", "drop off center"},
	"shipping-status": {"shipping status", "already shipped", "has shipped", "been shipped", "in transit",
		"shipment status"},
	"make-purchase": {"make the purchase", "place the order for you", "purchase it for you", "order it for you",
		"buy it for you", "purchased it for you"},
	"notify-team": {"notify", "let my manager know", "escalate", "inform the team", "website team",
		"purchasing department", "let the team know"},
	"subscription-status": {"subscription status", "status of your subscription", "your subscription is",
		"subscription is active"},
	"try-again":    {"try again", "refresh", "reload", "one more time"},
	"log-out-in":   {"log out", "logging out", "sign out", "log back in", "sign back in"},
	"instructions": {"clear your cookies", "clear your cache", "clear the cache", "clear your browser", "close the tab", "restart your browser", "another browser"},
	"search-faq":   {"faq", "look that up for you", "check our policy"},
	"select-faq":   {"according to our faq", "our policy is"},
}

// subflowKeywords are phrases that point to one subflow, taken from the
// guidelines' instructions and descriptions (never from the sample chats,
// which are the evaluation data) and widened with the plain ways a
// customer names the same problem.
var subflowKeywords = map[string][]string{
	"recover_username":                  {"username", "user name", "forgot my username"},
	"recover_password":                  {"password", "forgot my password", "reset my password", "new password"},
	"reset_2fa":                         {"two factor", "2fa", "authentication", "verification code", "security code"},
	"status_service_added":              {"service added", "added to my account", "unknown service", "extra service", "didnt sign up"},
	"status_service_removed":            {"service removed", "removed from my", "removed my", "lost service", "reinstate"},
	"status_shipping_question":          {"international shipping", "free shipping", "out of the country", "overseas", "ship internationally"},
	"status_credit_missing":             {"credit missing", "missing credit", "store credit", "my credit", "credits"},
	"manage_change_address":             {"change my address", "update my address", "new address", "moved", "wrong address"},
	"manage_change_name":                {"change my name", "update my name", "name is wrong", "misspelled", "last name"},
	"manage_change_phone":               {"phone number", "change my phone", "new number", "update my phone"},
	"manage_payment_method":             {"payment method on my account", "update my card", "change my card", "new card", "card on file"},
	"status_mystery_fee":                {"extra charge", "mystery fee", "extra fee", "overcharged", "fee", "charged more"},
	"status_delivery_time":              {"delivery time", "morning", "evening", "delivery window", "delivered later"},
	"status_payment_method":             {"wrong payment method", "wrong card", "paid with", "payment method is wrong"},
	"status_quantity":                   {"quantity", "wrong quantity", "confirmation email", "wrong number of", "how many"},
	"manage_upgrade":                    {"overnight", "faster shipping", "upgrade", "expedite", "sooner"},
	"manage_downgrade":                  {"downgrade", "next week delivery", "slower shipping", "save on shipping", "cheaper shipping"},
	"manage_create":                     {"add an item", "add something to my order", "add to my order", "add another", "existing order"},
	"manage_cancel":                     {"ordered two", "accidentally ordered", "ordered twice", "cancel", "by mistake", "meant to order"},
	"refund_initiate":                   {"refund", "money back", "get a refund", "want a refund", "start a refund"},
	"refund_update":                     {"add to my refund", "add an item to my refund", "existing refund", "another item to the refund", "extra item"},
	"refund_status":                     {"status of my refund", "refund status", "where is my refund", "check on my refund", "status of a refund"},
	"return_stain":                      {"stain", "dirty", "spot", "return"},
	"return_color":                      {"color", "colour", "wrong color", "different color", "return"},
	"return_size":                       {"size", "too small", "too big", "doesnt fit", "wrong size", "fit", "return"},
	"bad_price_competitor":              {"competitor", "cheaper elsewhere", "another store", "price match", "lower price"},
	"bad_price_yesterday":               {"yesterday", "price dropped", "price went down", "cheaper today", "price changed"},
	"out_of_stock_general":              {"out of stock", "sold out", "restock", "everything is out of stock"},
	"out_of_stock_one_item":             {"out of stock", "back in stock", "this item", "one item"},
	"promo_code_invalid":                {"promo code", "code is not working", "code isnt working", "code doesnt work", "code not working", "invalid code", "code wont work", "code is invalid"},
	"promo_code_out_of_date":            {"promo code", "expired", "out of date", "code expired", "no longer valid"},
	"mistimed_billing_already_returned": {"already returned", "returned it", "still charged", "billed for", "charged for"},
	"mistimed_billing_never_bought":     {"never bought", "never ordered", "didnt buy", "didnt order", "not mine", "billed for", "charged for"},
	"status":                            {"where is my order", "shipping status", "when will it arrive", "delivery date", "track", "hasnt arrived"},
	"manage":                            {"change shipping address", "wrong shipping address", "shipping address", "ship to a different"},
	"missing":                           {"missing", "missing item", "didnt receive", "not in the box", "item is missing", "never arrived"},
	"cost":                              {"shipping cost", "shipping fee", "charged for shipping", "shipping charge", "shipping price", "for shipping", "much for shipping"},
	"boots":                             {"boots", "boot", "shoe", "laces", "waterproof"},
	"shirt":                             {"shirt", "collar", "buttons"},
	"jeans":                             {"jeans", "leg length", "tailored", "ripped"},
	"jacket":                            {"jacket", "sweater", "hood", "dry clean"},
	"pricing":                           {"price of", "gift wrapping", "stitching", "how much does it cost", "pricing"},
	"membership":                        {"membership", "membership levels", "premium membership", "benefits", "member"},
	"timing":                            {"when does", "when do", "expire", "spring collection", "annual sale", "store open"},
	"policy":                            {"policy", "return policy", "refund policy", "canceling subscriptions", "cancel my subscription"},
	"status_active":                     {"subscription active", "is my subscription", "still active", "premium subscription"},
	"status_due_amount":                 {"how much do i owe", "amount due", "bill amount", "how much is my bill", "how much i owe"},
	"status_due_date":                   {"due date", "when is my bill due", "when is the payment due", "when is it due", "bill is due", "bill due"},
	"manage_pay_bill":                   {"pay my bill", "pay the bill", "make a payment", "pay my subscription", "pay off"},
	"manage_extension":                  {"extension", "extend", "more time to pay", "late payment"},
	"manage_dispute_bill":               {"dispute", "wrong bill", "bill is wrong", "overcharged on my bill", "charged twice"},
	"credit_card":                       {"credit card", "card rejected", "card declined", "declined", "card is invalid", "card keeps getting rejected"},
	"shopping_cart":                     {"cart", "shopping cart", "add to cart", "cart not updating"},
	"search_results":                    {"search", "no results", "search bar", "search not working", "cant find"},
	"slow_speed":                        {"slow", "loading", "too slow", "lagging", "crawl", "takes forever"},
}

// Chat is one conversation of ABCD's data files (abcd_v1.1.json's splits,
// abcd_sample.json): the scenario's labels and the delexicalised turns.
type Chat struct {
	ID      string
	Flow    string // scenario.flow, e.g. "product_defect"
	Subflow string // scenario.subflow, e.g. "return_size" or "timing_4"
	Turns   []ChatTurn
}

// ChatTurn is one delexicalised turn: a customer or agent utterance, or an
// "action" turn whose Action is the system action the agent took.
type ChatTurn struct {
	Speaker string
	Text    string
	Action  string
}

// ChatResult is how a Tracker did on one chat.
type ChatResult struct {
	ID, Flow, Subflow string
	// PredFlow and PredSubflow are the tracker's flow at the end of the chat,
	// empty when none matched.
	PredFlow, PredSubflow string
	// Utterances is the number of customer and agent turns.
	Utterances int
	// TurnsToCorrect is the first utterance index from which the predicted
	// subflow is right and stays right to the end; Utterances when the
	// prediction is wrong at the end.
	TurnsToCorrect int
	// NextHits of NextN action turns had the tracker's Next step equal to the
	// action taken.
	NextHits, NextN int
}

// ReplayChat replays a chat through a new Tracker: customer and agent turns
// as utterances, each action turn compared with the tracker's Next step and
// then observed with ObserveAction.
func ReplayChat(flows []Flow, m Matcher, c Chat) ChatResult {
	known := map[string]bool{}
	for _, f := range flows {
		known[f.ID] = true
	}
	gold := SubflowID(c.Subflow, func(s string) bool { return known[s] })
	res := ChatResult{ID: c.ID, Flow: c.Flow, Subflow: gold}
	tr := NewTracker(flows, m)
	var preds []string
	for _, turn := range c.Turns {
		if turn.Speaker == "action" {
			res.NextN++
			if st := tr.State(); st.Next != nil && st.Next.ID == turn.Action {
				res.NextHits++
			}
			tr.ObserveAction(turn.Action)
			continue
		}
		tr.Observe(turn.Speaker, turn.Text)
		pred := ""
		if st := tr.State(); st.Flow != nil {
			pred = st.Flow.ID
		}
		preds = append(preds, pred)
	}
	// An action after the last utterance may still move the flow.
	if st := tr.State(); st.Flow != nil {
		res.PredFlow, res.PredSubflow = st.Flow.Group, st.Flow.ID
		if len(preds) > 0 {
			preds[len(preds)-1] = st.Flow.ID
		}
	}
	res.Utterances = len(preds)
	res.TurnsToCorrect = len(preds)
	for i := len(preds) - 1; i >= 0 && preds[i] == gold; i-- {
		res.TurnsToCorrect = i
	}
	return res
}
