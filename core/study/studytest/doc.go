// Package studytest holds what the tests of core/study and of the command
// line share: the check that a Slurm cluster is there to run them on.
package studytest
