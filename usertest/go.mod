module github.com/flinksim/go-flinksim/usertest

go 1.26.8

require github.com/flinksim/go-flinksim v0.0.0

require (
	go.uber.org/multierr v1.10.0 // indirect
	go.uber.org/zap v1.27.0 // indirect
)

replace github.com/flinksim/go-flinksim => ../
