package main

import (
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/spf13/cobra"
)

func newCredsCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "creds",
		Short: "Issue NATS credentials for agents and supervisors",
	}
	opts := &app.CredsOptions{Out: io.out}
	var agent, supervisor string
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
			opts.Role, opts.Name = service.RoleAgent, agent
			if supervisor != "" {
				opts.Role, opts.Name = service.RoleSupervisor, supervisor
			}
			if opts.Data == "" {
				return usagef("--data is needed")
			}
			return app.IssueCreds(opts)
		},
	}
	add.Flags().StringVar(&opts.Data, "data", app.DefaultDataDir(), "data folder of the service ($ASSIST_DATA)")
	add.Flags().StringVar(&agent, "agent", "", "agent id")
	add.Flags().StringVar(&supervisor, "supervisor", "", "supervisor name")
	cmd.AddCommand(add)
	return cmd
}
