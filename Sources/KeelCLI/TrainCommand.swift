import ArgumentParser
import KeelCommands

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recurrent network on a task or on your own data.",
        discussion: """
            Data: --task NAME (default adding), or --text FILE (character language model), or --csv FILE \
            --target COLUMN [--columns a,b] (sliding windows of --sequence-length rows, normalized), or \
            --npy-inputs FILE --npy-targets FILE ([examples, time, features] → [examples, outputs]).
            Options can also come from a JSON file (--config; keys spelled as the flags, e.g. \
            {"cell": "gru", "learning-rate": 0.01}); flags given on the command line win. Every problem \
            with the options is listed at once.
            Exit status: 0 the run reached its steps or target; 1 an error (bad options, data or \
            checkpoint); 3 a monitor stopped training (--on-explosion stop); 4 the rollback budget \
            was exhausted; 5 the model diverged (non-finite weights, never checkpointed, or a non-finite or absurd validation loss).
            Data-parallel on several processes or machines (Open MPI: apt-get install openmpi-bin), with the \
            same options: one host, 4 ranks: mpirun -np 4 keel train ARGS; two hosts, 2 ranks each: \
            mpirun -H host1:2,host2:2 --mca btl_tcp_if_include eth0 --mca oob_tcp_if_include eth0 keel train ARGS \
            (keel at the same path on every host). --batch-size is the global batch (divisible by the rank \
            count); rank 0 writes the log and checkpoints, which resume on any rank count.

            TRAINING OPTIONS:

            """ + TrainOptions.helpText)

    @Option(help: "A JSON file of options (keys as the flag names); command-line flags override it.")
    var config: String?

    @Option(help: "Resume from a checkpoint directory written by keel train (its options are the defaults; checkpoints go back into it unless --checkpoint-dir says otherwise).")
    var resume: String?

    /// Every other option, read by ``TrainOptions/parse(arguments:)`` from the one declaration of
    /// each in ``TrainOptions/descriptors`` (listed by `--help` under TRAINING OPTIONS).
    @Argument(parsing: .allUnrecognized, help: .private)
    var trainingArguments: [String] = []

    func run() throws {
        var status = TrainExitStatus.success
        try runReportingErrors {
            let options = try TrainOptions.resolve(arguments: trainingArguments, configFile: config, resume: resume)
            status = try DistributedTraining.run(TrainRunner(options: options, resume: resume)).exitStatus
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
