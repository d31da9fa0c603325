// Command assist is the agent-assist terminal: it replays or listens to
// customer calls and shows the agent live transcript, reply suggestions,
// emotion gauges and recommendations.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:]))
}
