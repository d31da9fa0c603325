package main

import (
	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/tui/agent"
)

// The controllers the commands hand the views.
var (
	_ agent.Controller     = app.Controls{}
	_ agent.Controller     = app.ReplayControls{}
	_ agent.ReplayControls = app.ReplayControls{}
	_ agent.Controller     = service.Controls{}
)
