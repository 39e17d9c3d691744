import ArgumentParser
import KeelCommands

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Diagnose a training set-up's stability and prescribe the cure, with evidence.",
        discussion: """
            Takes the model and data options of keel train (and --config). Measures the model at \
            initialization (σ_max of W_hh and Pascanu's criterion, the recurrent Jacobian's spectral radius, \
            gate saturation, the gradient-flow profile with its horizon and per-step rate), runs short probes on \
            copies (learning-rate range tests, the gradient-norm distribution, the explosion monitor), prints the \
            prescription with its evidence, and writes it as a keel train --config file and an HTML report. \
            --verify STEPS then trains your set-up and the prescription side by side on the same seed.

            TRAINING OPTIONS (as keel train):

            """ + TrainOptions.helpText)

    @OptionGroup(title: "Set-up (the options of keel train)")
    var train: TrainCommand

    @Option(name: .customLong("prescription"), help: "Where to write the prescription (a keel train --config JSON file).")
    var prescription: String = "keel-doctor-prescription.json"

    @Option(name: .customLong("report"), help: "Where to write the HTML report with the diagnosis section.")
    var report: String = "keel-doctor-report.html"

    @Option(name: .customLong("verify"), help: ArgumentHelp("Train your set-up and the prescription for STEPS steps each and compare.", valueName: "STEPS"))
    var verify: Int?

    @Option(help: "The diagnosis's time budget in seconds (default 60).")
    var timeBudget: Double = 60

    @Option(help: "The longest dependency the task needs, in steps (default: the sequence length).")
    var taskLag: Int?

    @Flag(help: "Never prescribe another cell (the vanishing-gradient regularizer treats short horizons instead).")
    var keepCell = false

    func run() throws {
        try runReportingErrors {
            guard train.resume == nil else { throw CommandError("keel doctor diagnoses a set-up from its initialization; --resume does not apply") }
            let options = try TrainOptions.resolve(arguments: train.trainingArguments, configFile: train.config)
            try DoctorRunner(
                options: options, prescriptionPath: prescription, reportPath: report, verifySteps: verify, timeBudget: timeBudget,
                allowsCellChange: !keepCell, taskLag: taskLag
            ).run()
        }
    }
}
