import Foundation
import KeelCore

/// A type one `keel train` option holds, and how it is read from a command-line argument and
/// from a JSON configuration value. A problem is returned as a sentence naming the option.
protocol TrainOptionValue: Codable, Sendable, Equatable {
    /// The value in the argument that follows `--option` (never called for a flag).
    static func read(argument: String, option: String) -> Result<Self, OptionProblem>
    /// The value of `"option": …` in a configuration file.
    static func read(json: JSONValue, option: String) -> Result<Self, OptionProblem>
    /// How `--help` shows the value (`<n>`, `lstm|gru`).
    static var valueName: String { get }
    /// Whether the option is a flag (`--name` / `--no-name`) rather than `--name value`.
    static var isFlag: Bool { get }
    /// Every accepted value, for an option with a closed set of them.
    static var choices: [String]? { get }
}

extension TrainOptionValue {
    static var isFlag: Bool { false }
    static var choices: [String]? { nil }
}

/// One problem with one option's value, as a sentence fragment that names the option.
struct OptionProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension String: TrainOptionValue {
    static func read(argument: String, option: String) -> Result<String, OptionProblem> { .success(argument) }
    static func read(json: JSONValue, option: String) -> Result<String, OptionProblem> {
        if case .string(let text) = json { return .success(text) }
        return .failure(OptionProblem("\(option) must be a string (got \(json))"))
    }
    static var valueName: String { "<text>" }
}

extension Double: TrainOptionValue {
    static func read(argument: String, option: String) -> Result<Double, OptionProblem> {
        Double(argument).map { .success($0) } ?? .failure(OptionProblem("\(option) must be a number (got \(argument))"))
    }
    static func read(json: JSONValue, option: String) -> Result<Double, OptionProblem> {
        if case .number(let number) = json { return .success(number) }
        return .failure(OptionProblem("\(option) must be a number (got \(json))"))
    }
    static var valueName: String { "<x>" }
}

extension Int: TrainOptionValue {
    static func read(argument: String, option: String) -> Result<Int, OptionProblem> {
        Int(argument).map { .success($0) } ?? .failure(OptionProblem("\(option) must be a whole number (got \(argument))"))
    }
    static func read(json: JSONValue, option: String) -> Result<Int, OptionProblem> {
        Double.read(json: json, option: option).flatMap { value in
            guard value == value.rounded(), abs(value) < 1e15 else {
                return .failure(OptionProblem("\(option) must be a whole number (got \(value))"))
            }
            return .success(Int(value))
        }
    }
    static var valueName: String { "<n>" }
}

extension UInt64: TrainOptionValue {
    static func read(argument: String, option: String) -> Result<UInt64, OptionProblem> {
        UInt64(argument).map { .success($0) }
            ?? .failure(OptionProblem("\(option) must be a whole number in 0 ... \(UInt64.max) (got \(argument))"))
    }
    static func read(json: JSONValue, option: String) -> Result<UInt64, OptionProblem> {
        Int.read(json: json, option: option).flatMap { value in
            value < 0 ? .failure(OptionProblem("\(option) must be ≥ 0 (got \(value))")) : .success(UInt64(value))
        }
    }
    static var valueName: String { "<n>" }
}

extension Bool: TrainOptionValue {
    static func read(argument: String, option: String) -> Result<Bool, OptionProblem> {
        switch argument {
        case "true": .success(true)
        case "false": .success(false)
        default: .failure(OptionProblem("\(option) must be true or false (got \(argument))"))
        }
    }
    static func read(json: JSONValue, option: String) -> Result<Bool, OptionProblem> {
        if case .bool(let flag) = json { return .success(flag) }
        return .failure(OptionProblem("\(option) must be true or false (got \(json))"))
    }
    static var valueName: String { "" }
    static var isFlag: Bool { true }
}

extension Array: TrainOptionValue where Element == String {
    static func read(argument: String, option: String) -> Result<[String], OptionProblem> {
        .success(argument.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
    }
    static func read(json: JSONValue, option: String) -> Result<[String], OptionProblem> {
        if case .string(let text) = json { return read(argument: text, option: option) }
        if case .array(let items) = json {
            let strings = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
            if strings.count == items.count { return .success(strings) }
        }
        return .failure(OptionProblem("\(option) must be a list of strings or a comma-separated string"))
    }
    static var valueName: String { "<a,b,…>" }
}

extension TrainChoice {
    static func read(argument: String, option: String) -> Result<Self, OptionProblem> {
        do throws(UnknownChoiceError) {
            return .success(try Self(named: argument, option: option))
        } catch {
            return .failure(OptionProblem(error.description))
        }
    }
    static func read(json: JSONValue, option: String) -> Result<Self, OptionProblem> {
        String.read(json: json, option: option).flatMap { read(argument: $0, option: option) }
    }
    static var valueName: String { "<name>" }
}

extension TrainOptionValue where Self: TrainChoice {
    static var choices: [String]? { names }
}

extension TaskChoice: TrainOptionValue {}
extension CellChoice: TrainOptionValue {}
extension OptimizerChoice: TrainOptionValue {}
extension ScheduleChoice: TrainOptionValue {}
extension ClipperChoice: TrainOptionValue {}
extension RecurrentInitializerChoice: TrainOptionValue {}
extension WeightInitializerChoice: TrainOptionValue {}
extension MonitorSetChoice: TrainOptionValue {}
extension ExplosionPolicyChoice: TrainOptionValue {}
