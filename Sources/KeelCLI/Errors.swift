import ArgumentParser
import Foundation

/// Runs `body`; an error is printed as one `error: …` line on standard error and the command
/// exits with status 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
