package main

import (
	"fmt"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/spf13/cobra"
)

func newCredsCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "creds",
		Short: "Issue NATS credentials for agents and supervisors",
	}
	var (
		data       string
		agent      string
		supervisor string
	)
	add := &cobra.Command{
		Use:     "add --agent ID | --supervisor NAME",
		Short:   "Issue credentials (an nkey seed file) for an agent or a supervisor",
		Long:    help("creds-add"),
		Example: example("creds-add"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (agent == "") == (supervisor == "") {
				return usagef("give one of --agent ID or --supervisor NAME")
			}
			role, name := service.RoleAgent, agent
			if supervisor != "" {
				role, name = service.RoleSupervisor, supervisor
			}
			if data == "" {
				return usagef("--data is needed")
			}
			path, created, err := service.Auth{Dir: service.Dir(data)}.Add(role, name)
			if err != nil {
				return err
			}
			state := "existing"
			if created {
				state = "new"
			}
			fmt.Fprintf(io.out, "%s credentials for %s %s: %s\n", state, role, name, path)
			return nil
		},
	}
	add.Flags().StringVar(&data, "data", app.DefaultDataDir(), "data folder of the service ($ASSIST_DATA)")
	add.Flags().StringVar(&agent, "agent", "", "agent id")
	add.Flags().StringVar(&supervisor, "supervisor", "", "supervisor name")
	cmd.AddCommand(add)
	return cmd
}
