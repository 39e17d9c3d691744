import Foundation
import Testing
import KeelCommands
import KeelReport

/// `--init-weights`/`--init-std`, `--test-sequences`, `--validate-every` and `--stop-at-error`:
/// their validation and what a run with them writes.
@Suite struct TestSequenceOptionTests {
    func problems(_ configure: (inout TrainOptions) -> Void) -> [String] {
        var options = TrainOptions()
        configure(&options)
        return options.problems()
    }

    @Test func normalInitializationExcludesTheRecurrentInitializerAndTheSpectralRadius() {
        let found = problems {
            $0.initWeights = .normal
            $0.initRecurrent = .orthogonal
            $0.spectralRadius = 1.2
        }
        #expect(found == [
            "init-weights normal draws every weight, recurrent ones included; drop init-recurrent (got orthogonal)",
            "init-weights normal does not rescale the recurrent weights; drop spectral-radius",
        ])
        #expect(problems { $0.initWeights = .normal; $0.initStd = 0.1 }.isEmpty)
        #expect(problems { $0.initWeights = .default; $0.initRecurrent = .identity }.isEmpty)
    }

    @Test func initStdNeedsNormalAndAPositiveFiniteValue() {
        #expect(problems { $0.initStd = 0.1 } == ["init-std applies to init-weights normal (got init-weights default)"])
        #expect(problems { $0.initWeights = .normal; $0.initStd = 0 } == ["init-std must be a finite number > 0 (got 0.0)"])
        #expect(problems { $0.initWeights = .normal; $0.initStd = .infinity } == ["init-std must be a finite number > 0 (got inf)"])
        #expect(TrainOptions.parse(arguments: ["--init-weights", "normall"]).problems == [
            "unknown init-weights 'normall' (did you mean 'normal'?), expected one of default, normal"
        ])
    }

    @Test func testSequencesNeedATaskAndStopAtErrorNeedsThem() {
        #expect(problems { $0.task = .adding; $0.testSequences = 100; $0.stopAtError = 0.01; $0.validateEvery = 50 }.isEmpty)
        #expect(problems { $0.text = "book.txt"; $0.testSequences = 100 } == [
            "test-sequences needs a synthetic --task (fresh sequences are generated); this run reads a file"
        ])
        #expect(problems { $0.stopAtError = 0.01 } == ["stop-at-error needs test-sequences (the error rate is measured on them)"])
        #expect(problems { $0.testSequences = 10; $0.stopAtError = 0 } == [
            "stop-at-error must be in (0, 1] (a fraction of the test sequences; got 0.0)"
        ])
        #expect(problems { $0.testSequences = 10; $0.stopAtError = 1.5 } == [
            "stop-at-error must be in (0, 1] (a fraction of the test sequences; got 1.5)"
        ])
        #expect(problems { $0.testSequences = 0; $0.validateEvery = -2 } == [
            "validate-every must be > 0 (got -2)", "test-sequences must be > 0 (got 0)",
        ])
        #expect(problems { $0.npyInputs = "x.npy"; $0.npyTargets = "y.npy"; $0.validateEvery = 5 } == [
            "validate-every given but --npy-inputs data has no validation set"
        ])
    }

    @Test func configurationFilesSpellTheKeysAsTheFlags() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pascanu.json")
        try #"{"task": "adding-pascanu", "init-weights": "normal", "init-std": 0.05, "test-sequences": 200, "validate-every": 10, "stop-at-error": 0.01}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let options = try TrainOptions.load(contentsOfFile: file.path)
        #expect(options.initWeights == .normal && options.initStd == 0.05)
        #expect(options.testSequences == 200 && options.validateEvery == 10 && options.stopAtError == 0.01)
        for key in ["init-weights", "init-std", "test-sequences", "validate-every", "stop-at-error"] { #expect(TrainOptions.keys.contains(key)) }

        try #"{"init-weights": "normal", "init-recurrent": "identity", "stop-at-error": "low"}"#.write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try TrainOptions.load(contentsOfFile: file.path) }
    }

    @Test func theCommandLineRefusesConflictingInitializers() throws {
        let result = try KeelExecutable.run(["train", "--init-weights", "normal", "--spectral-radius", "1.2", "--stop-at-error", "0.1"])
        #expect(result.status != 0)
        for fragment in [
            "command line: 2 problems", "init-weights normal does not rescale the recurrent weights; drop spectral-radius",
            "stop-at-error needs test-sequences",
        ] {
            #expect(result.standardError.contains(fragment), "stderr lacks '\(fragment)': \(result.standardError)")
        }
    }

    @Test func validationEventsCarryTheErrorRateAndARunStopsOnceSolved() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("run.jsonl").path
        let common = ["train", "--task", "temporal-order", "--sequence-length", "10", "--cell", "rnn-tanh", "--hidden", "8", "--batch-size", "4",
                      "--init-weights", "normal", "--init-std", "0.1", "--optimizer", "sgd", "--seed", "2", "--test-sequences", "50", "--log", log]

        let unsolved = try KeelExecutable.run(common + ["--steps", "5", "--validate-every", "2"])
        #expect(unsolved.status == 0, "\(unsolved.output)")
        var run = try RunLog(contentsOfFile: log)
        // Validations at steps 2 and 4, and one at the end (step 5).
        #expect(run.validations.map(\.step) == [2, 4, 5])
        for record in run.validations {
            let rate = try #require(record.metrics["errorRate"])
            #expect(rate >= 0 && rate <= 1 && (rate * 50).rounded() == rate * 50, "error rate \(rate) is not a count out of 50")
            #expect(record.metrics["testLoss"] != nil && record.metrics["loss"] != nil && record.metrics["accuracy"] != nil)
        }
        #expect(run.finish?.reason == "reachedMaxSteps")
        #expect(run.events.filter { if case .trainingFinished = $0 { true } else { false } }.count == 1)
        #expect(unsolved.standardOutput.contains("of 50 fresh sequences with arg-max of the last step ≠ class"))

        // Any error rate below 1 counts as solved at the first validation.
        let solved = try KeelExecutable.run(common + ["--steps", "20", "--validate-every", "3", "--stop-at-error", "1"])
        #expect(solved.status == 0, "\(solved.output)")
        run = try RunLog(contentsOfFile: log)
        #expect(run.steps.count == 3)
        #expect(run.finish?.reason == "targetErrorRate")
        #expect(run.finish?.detail?.contains("at step 3") == true)
        #expect(solved.standardOutput.contains("solved at step 3"))
    }
}
