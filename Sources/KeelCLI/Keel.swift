import ArgumentParser

/// The `keel` command: train recurrent networks stably, see why training explodes, and read the
/// result as a report.
@main
struct Keel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "Stable training of recurrent networks: demo, train, doctor, report, sample, bench.",
        discussion: """
            Start with `keel demo`: it shows the exploding-gradient problem and its cures in under a minute \
            (release build) and writes an HTML report.
            """,
        subcommands: [DemoCommand.self, TrainCommand.self, DoctorCommand.self, ReportCommand.self, SampleCommand.self, EvaluateCommand.self, BenchCommand.self])
}
