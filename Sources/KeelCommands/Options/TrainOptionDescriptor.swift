import Foundation
import KeelCore

/// One `keel train` option, declared once: its name (the flag without dashes, which is also its
/// JSON configuration key), its help, the ``TrainOptions`` property it fills and the check its
/// value must pass. Parsing the command line, reading and writing configuration files, merging
/// sources (command line over configuration file over checkpoint) and `--help` all iterate
/// ``TrainOptions/descriptors``.
public struct TrainOptionDescriptor: Sendable {
    /// The flag without its dashes and the JSON key: `learning-rate`.
    public let name: String
    /// The one-line help `keel train --help` prints.
    public let help: String
    /// How `--help` shows the value (`<n>`, `<lstm|gru>`); empty for a flag.
    public let valueName: String
    /// Whether the option is a flag (`--name`, `--no-name`) rather than `--name value`.
    public let isFlag: Bool
    /// Every accepted value, for an option with a closed set of them (`--cell`); `nil` otherwise.
    public let choices: [String]?

    let readArgument: @Sendable (String, inout TrainOptions) -> OptionProblem?
    let readJSON: @Sendable (JSONValue, inout TrainOptions) -> OptionProblem?
    let take: @Sendable (TrainOptions, inout TrainOptions) -> Void
    let clear: @Sendable (inout TrainOptions) -> Void
    let isSet: @Sendable (TrainOptions) -> Bool
    let problem: @Sendable (TrainOptions) -> String?
    let encode: @Sendable (TrainOptions, inout KeyedEncodingContainer<TrainOptionKey>) throws -> Void

    /// An option stored at `keyPath`, named `name`, whose value must pass `check`.
    init<Value: TrainOptionValue>(
        _ keyPath: WritableKeyPath<TrainOptions, Value?> & Sendable, _ name: String, help: String,
        check: OptionCheck<Value>? = nil, numbersAsText: Bool = false
    ) {
        self.name = name
        self.help = help
        self.valueName = Value.choices == nil ? Value.valueName : "<\(name)>"
        self.isFlag = Value.isFlag
        self.choices = Value.choices
        readArgument = { text, options in
            switch Value.read(argument: text, option: name) {
            case .success(let value): options[keyPath: keyPath] = value; return nil
            case .failure(let problem): return problem
            }
        }
        readJSON = { json, options in
            var json = json
            // `"tbptt": 8` is as natural as `"tbptt": "8,4"`.
            if numbersAsText, case .number(let number) = json, number == number.rounded(), abs(number) < 1e15 {
                json = .string(String(Int(number)))
            }
            switch Value.read(json: json, option: name) {
            case .success(let value): options[keyPath: keyPath] = value; return nil
            case .failure(let problem): return problem
            }
        }
        take = { overrides, merged in
            if let value = overrides[keyPath: keyPath] { merged[keyPath: keyPath] = value }
        }
        clear = { $0[keyPath: keyPath] = nil }
        isSet = { $0[keyPath: keyPath] != nil }
        problem = { options in options[keyPath: keyPath].flatMap { check?.problem($0, name) } }
        encode = { options, container in
            try container.encodeIfPresent(options[keyPath: keyPath], forKey: TrainOptionKey(name))
        }
    }

    /// The `--help` line of this option: `--hidden <n>`, `--bidirectional/--no-bidirectional`.
    public var usage: String { isFlag ? "--\(name)/--no-\(name)" : "--\(name) \(valueName)" }
}

/// A rule one option's value must follow on its own (rules between options are in
/// ``TrainOptions/problems(complete:)``).
struct OptionCheck<Value>: Sendable {
    /// The problem with `value` of the option `name`, or `nil` when it is fine.
    let problem: @Sendable (Value, String) -> String?
}

extension OptionCheck where Value == Int {
    /// A count, step or size: > 0 and at most ``TrainOptions/largestCount``.
    static var positive: Self {
        Self { value, name in
            if value <= 0 { return "\(name) must be > 0 (got \(value))" }
            if value > TrainOptions.largestCount { return "\(name) must be at most \(TrainOptions.largestCount) (got \(value))" }
            return nil
        }
    }

    /// At least `minimum`.
    static func atLeast(_ minimum: Int) -> Self {
        Self { value, name in value < minimum ? "\(name) must be ≥ \(minimum) (got \(value))" : nil }
    }
}

extension OptionCheck where Value == Double {
    /// A finite number > 0.
    static var positive: Self {
        Self { value, name in value > 0 && value.isFinite ? nil : "\(name) must be a finite number > 0 (got \(value))" }
    }

    /// A finite number ≥ 0.
    static var nonNegative: Self {
        Self { value, name in value.isFinite && value >= 0 ? nil : "\(name) must be finite and ≥ 0 (got \(value))" }
    }

    /// A drop probability in [0, 1).
    static var probability: Self {
        Self { value, name in value >= 0 && value < 1 ? nil : "\(name) must be in [0, 1) (got \(value))" }
    }

    /// A share in (0, 1).
    static var openFraction: Self {
        Self { value, name in value > 0 && value < 1 ? nil : "\(name) must be in (0, 1) (got \(value))" }
    }
}

/// A JSON key of a configuration file: an option's name.
public struct TrainOptionKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    /// The key `name`.
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
