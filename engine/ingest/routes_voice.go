package ingest

import "net/http"

// mountVoice mounts the telephony endpoints. They are not behind the
// X-API-KEY check of the chat endpoints: each checks its own credentials
// the way its protocol carries them (Twilio in the stream's start message,
// AudioHook in its own headers).
func mountVoice(mux *http.ServeMux, o *Options) {
	mux.Handle("/v1/twilio/media", TwilioHandler(o))
	mux.Handle("/v1/audiohook", AudioHookHandler(o))
}
