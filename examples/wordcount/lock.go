package main

import (
	"errors"
	"fmt"

	"github.com/flinksim/go-flinksim/snapshot"
)

// lockDir takes an exclusive lock on the file at path, so that one
// process at a time runs a job in a checkpoint directory. The lock goes
// with the process, however it ends; unlock releases it.
func lockDir(path string) (unlock func(), err error) {
	unlock, err = snapshot.LockFile(path)
	if errors.Is(err, snapshot.ErrLocked) {
		return nil, fmt.Errorf("another wordcount process is running the job of %s", path)
	}
	return unlock, err
}
