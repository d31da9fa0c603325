// Package eval measures the models offline on labelled public data sets,
// as the `assist eval` commands do, and trains the embedded emotion model
// (`assist train emotion`): intent retrieval on BANKING77 and CLINC150,
// sentiment on GoEmotions, TweetEval and the airline tweets, speech
// recognition on WAV files with references (a manifest, or the Free Spoken
// Digit Dataset), and guided-flow tracking on ABCD chats. Nothing here runs
// during a call: the runtime packages only load and use what it trains.
package eval
