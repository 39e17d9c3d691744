import Foundation
import KeelCommands
import Testing

/// The option table: one declaration per option drives the command line, the configuration file,
/// merging and `--help`; an unknown choice is an error that names the option and its choices.
@Suite struct TrainOptionDescriptorTests {
    /// Every choice option with a name it does not accept, and the choices the error must list.
    static let choiceOptions: [(option: String, choices: [String])] = [
        ("task", TaskChoice.names), ("cell", CellChoice.names), ("optimizer", OptimizerChoice.names),
        ("schedule", ScheduleChoice.names), ("clip", ClipperChoice.names), ("init-recurrent", RecurrentInitializerChoice.names),
        ("init-weights", WeightInitializerChoice.names), ("monitors", MonitorSetChoice.names), ("on-explosion", ExplosionPolicyChoice.names),
    ]

    @Test(arguments: choiceOptions.map(\.option))
    func unknownChoiceOnTheCommandLineIsAnErrorListingTheChoices(_ option: String) throws {
        let choices = try #require(Self.choiceOptions.first { $0.option == option }).choices
        let problems = TrainOptions.parse(arguments: ["--\(option)", "no-such-thing"]).problems
        #expect(problems == ["unknown \(option) 'no-such-thing', expected one of \(choices.joined(separator: ", "))"])
        #expect(throws: ConfigurationError.self) { try TrainOptions.resolve(arguments: ["--\(option)", "no-such-thing"]) }
    }

    @Test(arguments: choiceOptions.map(\.option))
    func unknownChoiceInAConfigurationFileIsAnError(_ option: String) throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try #"{"\#(option)": "no-such-thing"}"#.write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try TrainOptions.load(contentsOfFile: file.path)
            Issue.record("no error for \(option) no-such-thing")
        } catch let error as ConfigurationError {
            #expect(error.source == file.path)
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.hasPrefix("unknown \(option) 'no-such-thing', expected one of ") == true)
        }
    }

    @Test func everyChoiceNameIsAccepted() throws {
        for (option, choices) in Self.choiceOptions {
            for choice in choices {
                let (_, problems) = TrainOptions.parse(arguments: ["--\(option)", choice])
                #expect(problems.isEmpty, "--\(option) \(choice): \(problems)")
            }
        }
    }

    @Test func unknownChoiceErrorSuggestsTheClosestName() {
        #expect(throws: UnknownChoiceError(option: "optimizer", value: "adm", choices: OptimizerChoice.names)) {
            try OptimizerChoice(named: "adm", option: "optimizer")
        }
        #expect(
            UnknownChoiceError(option: "optimizer", value: "adm", choices: OptimizerChoice.names).description
                == "unknown optimizer 'adm' (did you mean 'adam'?), expected one of sgd, adam, adamw, rmsprop, adagrad, lion")
        #expect((try? ClipperChoice(named: "global-norm", option: "clip")) == .globalNorm)
    }

    @Test func commandLineForms() {
        let (options, problems) = TrainOptions.parse(arguments: [
            "--cell", "gru", "--hidden=16", "--no-bidirectional", "--seed", "7", "--columns", "a, b", "--learning-rate", "0.01", "--tbptt", "8,4",
        ])
        #expect(problems.isEmpty)
        #expect(options.cell == .gru && options.hidden == 16 && options.bidirectional == false && options.seed == 7)
        #expect(options.columns == ["a", "b"] && options.learningRate == 0.01 && options.tbptt == "8,4")
        #expect(TrainOptions.parse(arguments: ["--bidirectional"]).options.bidirectional == true)
        #expect(TrainOptions.parse(arguments: ["--hidden", "-4"]).options.problems() == ["hidden must be > 0 (got -4)"])
    }

    @Test func commandLineProblemsNameTheOption() {
        let problems = TrainOptions.parse(arguments: ["--hiden", "3", "--layers", "two", "--seed", "-1", "--steps"]).problems
        #expect(problems == [
            "unknown option '--hiden' (did you mean '--hidden'?)", "layers must be a whole number (got two)",
            "seed must be a whole number in 0 ... \(UInt64.max) (got -1)", "--steps needs a value (<n>)",
        ])
    }

    /// The command line, the configuration file and a saved checkpoint spell every option the same.
    @Test func everyOptionRoundTripsThroughItsJSONKey() throws {
        var options = TrainOptions()
        options.task = .copy; options.sequenceLength = 12; options.cell = .rnnTanh; options.layers = 2; options.hidden = 8
        options.bidirectional = false; options.dropout = 0.1; options.initRecurrent = .identity; options.optimizer = .sgd
        options.learningRate = 0.5; options.schedule = .cosine; options.scheduleSteps = 40; options.clip = .value; options.clipThreshold = 0.3
        options.tbptt = "6,3"; options.monitors = MonitorSetChoice.none; options.onExplosion = .rollback; options.seed = 5; options.steps = 40
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(options)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(options.setOptions))
        #expect(object["cell"] as? String == "rnn-tanh" && object["on-explosion"] as? String == "rollback")
        #expect(try JSONDecoder().decode(TrainOptions.self, from: data) == options)
        #expect(Set(TrainOptions.keys).isSuperset(of: options.setOptions))
    }

    @Test func precedenceIsCommandLineOverConfigurationFile() throws {
        let directory = try KeelExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try #"{"hidden": 16, "cell": "gru", "task": "copy"}"#.write(to: file, atomically: true, encoding: .utf8)
        let options = try TrainOptions.resolve(arguments: ["--hidden", "32"], configFile: file.path)
        #expect(options.hidden == 32 && options.cell == .gru && options.task == .copy)
    }

    @Test func everyOptionIsDeclaredOnceAndListedInHelp() {
        let names = TrainOptions.descriptors.map(\.name)
        #expect(Set(names).count == names.count)
        for descriptor in TrainOptions.descriptors {
            #expect(TrainOptions.helpText.contains(descriptor.usage))
            #expect(!descriptor.help.isEmpty)
        }
    }

    @Test func unknownChoiceFromTheExecutableNamesTheOptionAndTheChoices() throws {
        let result = try KeelExecutable.run(["train", "--optimizer", "adamm", "--steps", "1"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("unknown optimizer 'adamm' (did you mean 'adam'?), expected one of sgd, adam, adamw, rmsprop, adagrad, lion"))
    }
}
