import Foundation
import KeelCommands
import KeelReport
import Testing

@Suite struct DoctorCommandTests {
    /// A small unstable set-up: a tanh RNN with W_hh at spectral radius 1.5, SGD, no clipping.
    static let unstable = [
        "--task", "adding", "--sequence-length", "12", "--hidden", "8", "--batch-size", "8", "--seed", "2", "--cell", "rnn-tanh",
        "--spectral-radius", "1.5", "--optimizer", "sgd", "--learning-rate", "0.05", "--clip", "none", "--on-explosion", "warn",
    ]

    @Test func thePrescriptionIsAConfigThatKeelTrainAccepts() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let prescription = directory.appendingPathComponent("prescription.json").path
        let report = directory.appendingPathComponent("doctor.html").path
        let doctor = try KeelExecutable.run(
            ["doctor"] + Self.unstable + ["--prescription", prescription, "--report", report, "--time-budget", "20", "--verify", "4"])
        #expect(doctor.status == 0, "\(doctor.output)")
        for heading in ["Diagnosis of your set-up at initialization", "Probes", "Prescription", "σ_max(encoder.layer0.weightHH) = 1.5", "verify: held-out loss"] {
            #expect(doctor.standardOutput.contains(heading), "missing \(heading) in \(doctor.standardOutput)")
        }
        // The file is a keel train configuration: it loads, validates, and trains.
        let options = try TrainOptions.load(contentsOfFile: prescription)
        try options.validate(source: prescription)
        #expect(options.task == .adding && options.hidden == 8 && options.seed == 2)
        #expect(options.spectralRadius != 1.5, "the radius-1.5 initialization must be treated")
        #expect(options.clip == .globalNorm && options.clipThreshold != nil)
        let train = try KeelExecutable.run(["train", "--config", prescription, "--steps", "3"], in: directory)
        #expect(train.status == 0, "\(train.output)")
        #expect(train.standardOutput.contains("finished at step 3"))
        // The report has the diagnosis section and both verification runs.
        let html = try String(contentsOfFile: report, encoding: .utf8)
        for piece in ["Diagnosis and prescription", "Gradient-flow profile at initialization", "Learning-rate range test", "Gradient-norm histogram", "yours", "prescribed"] {
            #expect(html.contains(piece), "report lacks \(piece)")
        }
    }

    @Test func theLibraryRunnerReturnsTheSameOptionsItWrites() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = TrainOptions()
        options.task = .adding; options.sequenceLength = 10; options.hidden = 6; options.batchSize = 4; options.seed = 3
        options.cell = .lstm; options.initRecurrent = .orthogonal; options.optimizer = .adam; options.learningRate = 0.003
        options.clip = .globalNorm; options.clipThreshold = 1
        let path = directory.appendingPathComponent("p.json").path
        let outcome = try DoctorRunner(options: options, prescriptionPath: path, reportPath: nil, timeBudget: 10, write: { _ in }).run()
        #expect(try TrainOptions.load(contentsOfFile: path) == outcome.prescribedOptions)
        // A healthy gated, orthogonal, clipped set-up keeps its cell, initialization and clipping.
        #expect(outcome.prescribedOptions.cell == .lstm && outcome.prescribedOptions.initRecurrent == .orthogonal)
        #expect(outcome.prescribedOptions.clip == .globalNorm && outcome.prescribedOptions.clipThreshold == 1)
    }

    @Test func badDoctorOptionsAreReportedNotTrapped() throws {
        let result = try KeelExecutable.run(["doctor", "--task", "adding", "--cell", "lstmm"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("unknown cell 'lstmm'"), "\(result.output)")
        let budget = try KeelExecutable.run(["doctor", "--task", "adding", "--sequence-length", "4", "--time-budget", "0"])
        #expect(budget.status != 0 && budget.standardError.contains("--time-budget must be > 0"), "\(budget.output)")
        let resume = try KeelExecutable.run(["doctor", "--resume", "somewhere"])
        #expect(resume.status != 0 && resume.standardError.contains("--resume does not apply"), "\(resume.output)")
    }
}
