import Foundation
import Keel
import Testing

/// The README's examples compile (this target builds them) and run as documented.
@Suite struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    /// The lines between the README-BEGIN/END markers of `file`.
    static func marked(_ text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let begin = lines.firstIndex(of: "// README-BEGIN"), let end = lines.firstIndex(of: "// README-END") else { return [] }
        return Array(lines[(begin + 1)..<end])
    }

    @Test func theReadmeShowsTheTestedExample() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.root.appendingPathComponent("Tests/KeelReadmeTests/ComposedTrainerExample.swift"), encoding: .utf8)
        let lines = Self.marked(example)
        #expect(lines.count <= 40, "the README example has \(lines.count) lines; the promise is at most 40")
        #expect(readme.contains("```swift\nimport Keel\n\n" + lines.joined(separator: "\n") + "\n```"), "the README's trainer example differs from ComposedTrainerExample.swift")
    }

    @Test func theComposedTrainerResumesBitIdentically() throws {
        let directory = NSTemporaryDirectory() + "keel-readme-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (uninterrupted, resumed) = try trainAddingProblem(checkpoint: directory)
        #expect(uninterrupted == resumed)
    }
}
