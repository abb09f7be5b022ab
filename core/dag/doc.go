// Package dag runs a graph of stages on a bounded number of cores: a stage
// starts once its inputs have succeeded and cores (and its memory estimate)
// allow, with the free cores spread over the ready stages that can start.
// It is the one scheduler behind the replication's pipeline and a study's
// local run.
package dag
