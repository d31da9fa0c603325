// Package samples bundles scripted calls to Larkspur Bank, the fictional
// bank of the sample knowledge base (kb.Sample), for demos, replay and tests.
//
// Each *.jsonl file holds one call in the project's JSONL call format: a
// header line ({"type":"call","call_id":...,"title":...,"queue":...,
// "agent":...,"customer":...,"channel":"voice"|"chat"}), then one line per
// utterance ({"offset":s,"duration":s,"speaker":"customer"|"agent",
// "text":...}) with offsets in seconds from the start of the call, in order.
//
//   - angry-overdraft-fees.jsonl: a customer angry about overdraft fees asks
//     for a supervisor and threatens to leave, then partly calms down.
//   - elderly-app-login.jsonl: an elderly customer cannot sign in to the app
//     after a password reset and needs the steps one at a time.
//   - lost-card-happy.jsonl: a lost debit card, locked and replaced quickly.
//   - chat-balance-transfer.jsonl: a chat about balances, a transfer between
//     own accounts and paying the landlord.
//
// The chat folder holds chat calls written as chats are typed (short
// lines, a written greeting, a chat's pace), which 'assist simulate'
// plays as its chat calls, so that a simulated chat never opens with a
// phone greeting. They are not in FS: the replayed samples stay as they
// are.
//
//   - chat/chat-lost-card.jsonl: a lost card locked, a fraudulent charge
//     claimed, a replacement sent (cards).
//   - chat/chat-overdraft-fees.jsonl: three overdraft fees, an angry
//     customer who threatens to leave, two fees refunded (billing).
//   - chat/chat-app-login.jsonl: an elderly customer locked out of the app
//     after a password reset, guided back in (support).
//   - chat/chat-card-declined.jsonl: a card declined abroad, a travel
//     notice, fees and PINs abroad (cards).
package samples

import "embed"

// FS holds the sample calls, one *.jsonl file per call at its root.
//
//go:embed *.jsonl
var FS embed.FS

// Steps annotates the sample calls with the utterance that completed each
// step of the flows (from the bundled knowledge base's articles) that fit
// them, and says how they were annotated; 'assist eval flows --bundled'
// measures the checklist's ticks against it.
//
//go:embed steps.json
var Steps []byte

// Replies annotates the sample calls' customer turns with the knowledge
// articles that fit a reply to each, or none, and says how they were
// annotated (README.md has the rules of both annotations); 'assist eval
// replies' measures the suggested replies against it.
//
//go:embed replies.json
var Replies []byte

// ChatFS holds the chat calls for simulated chats, one *.jsonl file per
// call under chat/.
//
//go:embed chat/*.jsonl
var ChatFS embed.FS
