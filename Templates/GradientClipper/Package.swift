// swift-tools-version: 6.1
// A starter package for a custom Keel gradient clipper: copy it, rename SoftClipper, keep the
// conformance test passing.
import PackageDescription

let package = Package(
    name: "SoftClipper",
    products: [.library(name: "SoftClipper", targets: ["SoftClipper"])],
    // The one line to edit after copying this package out of Keel's repository: point it at your
    // Keel checkout (`path:`) or at its repository (`url:` with `from:`). `traits: []` leaves out
    // the `keel` command-line tool, so swift-argument-parser is neither fetched nor built.
    dependencies: [.package(name: "Keel", path: "../..", traits: [])],
    targets: [
        .target(
            name: "SoftClipper",
            dependencies: [.product(name: "KeelCore", package: "Keel"), .product(name: "KeelOptimizers", package: "Keel")]),
        .testTarget(
            name: "SoftClipperTests",
            dependencies: ["SoftClipper", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
