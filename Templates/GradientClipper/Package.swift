// swift-tools-version: 6.0
// A starter package for a custom Keel gradient clipper: copy it, rename SoftClipper, keep the
// conformance test passing.
import PackageDescription

let package = Package(
    name: "SoftClipper",
    products: [.library(name: "SoftClipper", targets: ["SoftClipper"])],
    dependencies: [.package(name: "Keel", path: "../..")],
    targets: [
        .target(
            name: "SoftClipper",
            dependencies: [.product(name: "KeelCore", package: "Keel"), .product(name: "KeelOptimizers", package: "Keel")]),
        .testTarget(
            name: "SoftClipperTests",
            dependencies: ["SoftClipper", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
