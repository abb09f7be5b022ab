// Command isingrbm samples the 2D Ising model with a multi-spin-coded
// Metropolis sampler, trains restricted Boltzmann machines and deep belief
// networks on the samples, and runs the Mehta-Schwab replication. It holds
// only the command line: flags, progress bars, exit codes and the messages
// for bad input; the work is done by the packages under core/ and
// bitlattice/.
//
// Every flag is checked before any work starts, by the library type it
// sets: one flag table per type (package param: rbm.ConfigParams for
// train's recipe, rbm.EvalParams, replicate.SampleParams,
// replicate.SettingsParams for replicate and study, study.RunParams), the
// jobs that plan a command's outputs (rbm.TrainJob, rbm.EvalJob,
// replicate.SampleJob, study.SpecFlags), the parsers of couplings, sizes
// and AIS schedules, and the memory checks: ranges, overflow-safe sums,
// sizes against the data, and a memory estimate against the least of three
// quarters of the machine's memory, the cgroup limit, the address-space
// limit (ulimit -v) and ISINGRBM_MAX_MEMORY (bytes, or 512M, 2G; package
// sysmem). While they run, train and eval hold the Go runtime's soft
// memory limit to their estimate, and replicate and study run to that
// least limit, which their stages are scheduled within (a GOMEMLIMIT in
// the environment wins; study stage, a Slurm job's, is held by the memory
// it asked of Slurm). An explicit -batch larger than the training samples
// (those that -validation leaves) is refused; a preset's default batch is
// kept (one mini-batch per epoch). Messages name the flag,
// the value and what was expected; their errors are param.InputError.
//
// Help that is asked for (isingrbm -h, --help, help; isingrbm CMD -h, help
// CMD) goes to stdout with exit status 0; a bad flag is one line on stderr
// (the flag, what it wants, and where the flags are listed) with status 2.
//
// Exit status: 0 success; 1 a failure at run time (one line, never a stack
// trace); 2 bad flags, input files or environment (ISINGRBM_KERNELS,
// ISINGRBM_MAX_MEMORY); 128+n when signal n ended it: SIGINT (130), SIGTERM
// (143) and SIGHUP (129, unless ignored, as under nohup) cancel every long
// loop, training writes its checkpoint, and the process ends within a second
// of that, however long the checkpoint takes to write (a second signal ends
// it at once, without the checkpoint).
//
// Outputs are written atomically (package npy): a kill leaves the old file or
// none, and no temporary file. An existing output that is a symlink, FIFO,
// socket or device is refused unless -replace is given; a folder is always
// refused. sample and replicate refuse K = 0, where the spins are
// independent fair coins (exact -beta 0 prints the exact values). A model
// file holds no timings, so the same seed gives the same bytes; the epochs'
// seconds go to <model>.timings.json beside it.
//
// adversarial_test.go runs the built binary over well over a hundred hostile
// inputs, flags and signals.
package main
