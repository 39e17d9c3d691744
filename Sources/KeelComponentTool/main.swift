// keel-component: see KeelComponentCommand for the commands; the plugins call this executable.
import Foundation
import KeelComponentKit

do {
    let output = try KeelComponentCommand.run(Array(CommandLine.arguments.dropFirst()))
    print(output.text)
    exit(output.succeeded ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
