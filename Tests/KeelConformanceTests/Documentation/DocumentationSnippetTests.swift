import Foundation
import Testing

/// Every Swift block of the DocC articles appears verbatim in a compiled example file, so the
/// articles' code compiles and passes its conformance tests.
@Suite struct DocumentationSnippetTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let catalog = here.appendingPathComponent("../../../Sources/KeelConformance/KeelConformance.docc/Articles").standardized

    static func swiftBlocks(of article: String) throws -> [String] {
        let text = try String(contentsOf: catalog.appendingPathComponent(article), encoding: .utf8)
        return text.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
    }

    @Test(arguments: [
        ("WritingACustomClipper.md", "CustomClipperArticleExample.swift"),
        ("WritingACustomCell.md", "CustomCellArticleExample.swift"),
    ])
    func articleCodeIsCompiled(article: String, example: String) throws {
        let source = try String(contentsOf: Self.here.appendingPathComponent(example), encoding: .utf8)
        let blocks = try Self.swiftBlocks(of: article)
        #expect(blocks.count >= 3)
        for block in blocks {
            #expect(source.contains(block), "a Swift block of \(article) is not in \(example):\n\(block)")
        }
    }
}
