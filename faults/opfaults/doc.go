// Package opfaults injects faults at the level of whole provider calls:
// Provider wraps a secrets.Provider as one simulated process that numbers
// its calls and presents each to a faults.Injector as a faults.Op (kind
// faults.OpGetSecret, OpSetSecret, ..., OpUpdate; Path the key of
// GetSecret, SetSecret and DeleteSecret). A crash stops the process before
// the call (it is not made) or, with After, once the call is made (its
// result lost); a failure returns an error wrapping faults.ErrInjected and
// the errno. It is the fault layer of targets whose store does not live on
// an afero.Fs (harness.Target.OpLevelOnly); package faults, which knows
// nothing of secrets providers, holds the injectors and their schedule
// syntax, so that provider faults print and parse like filesystem faults:
//
//	crash(op=3,mode=process,seed=0,when=after);err(kind=setsecret,path=db-*,errno=EIO)
package opfaults
