// Package param holds the flag tables of isingrbm's commands: a Param names
// one setting of a config type, parses and checks a value given on the
// command line (errors name the flag and what was expected), and registers
// itself into a flag.FlagSet, so one table serves every command and library
// that takes the setting. InputError marks an error caused by what a
// command was given rather than by the run.
package param
