package main

import (
	"os"

	"github.com/larkspur-labs/assist/internal/discovery"
	"github.com/spf13/cobra"
)

// findsService are the commands that, told neither --data nor
// $ASSIST_DATA (nor the config file) nor the service's address, look for
// an 'assist serve' running on this machine (internal/discovery) and use
// its data folder: the only one running, or among several the one on the
// default folder.
var findsService = map[string]bool{"agent": true, "supervise": true, "simulate": true, "export": true, "report": true}

// findService sets the command's --data to the running service's when
// the command was told none.
func findService(cmd *cobra.Command) error {
	if !findsService[cmd.Name()] || !cmd.HasParent() || cmd.Parent().HasParent() {
		return nil
	}
	fs := cmd.Flags()
	data := fs.Lookup("data")
	if data == nil || data.Changed || os.Getenv("ASSIST_DATA") != "" {
		return nil
	}
	for _, name := range []string{"nats", "url"} { // told where the service is
		if f := fs.Lookup(name); f != nil && f.Value.String() != "" {
			return nil
		}
	}
	services, err := discovery.Find(discovery.Dir())
	if err != nil {
		return nil // the default folder's error will say what to do
	}
	s, ok, err := discovery.Choose(services, data.Value.String())
	if err != nil {
		return usageError{err}
	}
	if !ok {
		return nil
	}
	return fs.Set("data", s.Data)
}
