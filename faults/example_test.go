package faults_test

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/scopemig/scopemig/faults"
)

// An injector is a predicate over the operation attached to an action;
// its printed schedule parses back to an equal injector.
func ExampleOn() {
	inj := faults.Seq(
		faults.On(faults.All(faults.OfKind(faults.OpSync), faults.PathGlob("/d/*")), faults.Action{Kind: faults.Fail, Errno: syscall.ENOSPC}),
		faults.On(faults.Any(faults.OfKind(faults.OpRename), faults.OfKind(faults.OpRemove)), faults.Action{Kind: faults.Crash, Mode: faults.Power, Seed: 7}),
	)
	fmt.Println(inj)
	back, _ := faults.ParseSchedule(inj.String())
	fmt.Println(back.String() == inj.String())

	disk := faults.NewMemFS()
	_ = disk.MkdirAll("/d", 0o700)
	proc := faults.NewFS(disk, inj)
	f, _ := proc.Create("/d/f")
	fmt.Println(errors.Is(f.Sync(), syscall.ENOSPC))
	fmt.Println(errors.Is(proc.Rename("/d/f", "/d/g"), faults.ErrCrashed))
	// Output:
	// err(kind=sync,path=/d/*,errno=ENOSPC);crash(any(kind=rename,kind=remove),mode=power,seed=7)
	// true
	// true
	// true
}
