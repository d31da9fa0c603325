package main

import (
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/spf13/cobra"
)

func newCredsCmd(io streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "creds",
		Short: "Issue NATS credentials for agents, supervisors and analysts",
	}
	opts := &app.CredsOptions{Out: io.out}
	var agent, supervisor, analyst string
	add := &cobra.Command{
		Use:     "add --agent ID | --supervisor NAME | --analyst NAME",
		Short:   "Issue credentials (an nkey seed file) for an agent, a supervisor or an analyst",
		Long:    help("creds-add"),
		Example: example("creds-add"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			given := 0
			for role, name := range map[service.Role]string{service.RoleAgent: agent, service.RoleSupervisor: supervisor, service.RoleAnalyst: analyst} {
				if name != "" {
					given++
					opts.Role, opts.Name = role, name
				}
			}
			if given != 1 {
				return usagef("give one of --agent ID, --supervisor NAME or --analyst NAME")
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
	add.Flags().StringVar(&analyst, "analyst", "", "analyst name (export and report only)")
	cmd.AddCommand(add)
	return cmd
}
