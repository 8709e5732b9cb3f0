// Package realsoak is the real-process soak behind `scopemig soak --real`:
// kill/restart cycles of a real child process migrating a real store in a
// temp directory, each image checked against the model (I1–I4, I7, I8).
//
// The caller says how to start a child (Config.Command), so the package
// formats no command line and reads no environment; Child is what that
// child runs.
package realsoak
