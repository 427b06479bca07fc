import Checksums
import Foundation

/// The binary model file.
///
///     offset  size  content
///     0       8     magic "TRIAGEMD"
///     8       4     format version (UInt32, little-endian)
///     12      4     header length H (UInt32, little-endian)
///     16      H     header: JSON (`ModelHeader`), UTF-8, sorted keys
///     ...     0-3   zero padding to a multiple of 4
///     ...     4·R   bucket of each row (UInt32)
///     ...     4·R   IDF weight of each row (Float32)
///     ...     4·L   bias (Float32)
///     ...     R·L·w weights, row-major (Float32, or Float16 when weightEncoding is "f16")
///   format version 2 only (a hidden layer of width K = header.hiddenSize):
///     ...     4·K   hidden bias (Float32)
///     ...     R·K·w embedding rows, row-major (encoded like the weights)
///     ...     K·L·w hidden → label weights, row-major (encoded like the weights)
///     end-32  32    SHA-256 of every byte before it
///
/// All numbers are little-endian. The model version is "m-" and the first 16 hex digits of the SHA-256.
enum ModelFile {
    static let magic = Array("TRIAGEMD".utf8)
    /// With a hidden layer.
    static let formatVersion = 2
    /// A linear model (no hidden layer) is still written, and read, as version 1.
    static let linearFormatVersion = 1

    static func version(ofDigest digest: [UInt8]) -> String { "m-" + Array(digest.prefix(8)).hexString }

    // MARK: - Writing

    static func encode(header: ModelHeader, index: FeatureIndex, model: LinearModel) -> (bytes: [UInt8], digest: [UInt8]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array((try? encoder.encode(header)) ?? Data())
        var out: [UInt8] = []
        let half = header.weightEncoding == "f16"
        out.reserveCapacity(64 + json.count + index.rowCount * 8 + model.rowCount * model.labelCount * (half ? 2 : 4))
        out.append(contentsOf: magic)
        append(UInt32(model.hiddenSize > 0 ? formatVersion : linearFormatVersion), to: &out)
        append(UInt32(json.count), to: &out)
        out.append(contentsOf: json)
        while out.count % 4 != 0 { out.append(0) }
        for bucket in index.bucketOfRow { append(bucket, to: &out) }
        for value in index.idf { append(value.bitPattern, to: &out) }
        for value in model.bias { append(value.bitPattern, to: &out) }
        for row in 0..<model.rowCount {
            for label in 0..<model.labelCount {
                let value = model.weight(row: row, label: label)
                if half { append(Half.bits(value), to: &out) } else { append(value.bitPattern, to: &out) }
            }
        }
        if model.hiddenSize > 0 {
            for value in model.hiddenBias { append(value.bitPattern, to: &out) }
            for value in model.embedding {
                if half { append(Half.bits(value), to: &out) } else { append(value.bitPattern, to: &out) }
            }
            for unit in 0..<model.hiddenSize {
                for label in 0..<model.labelCount {
                    let value = model.outputWeight(unit: unit, label: label)
                    if half { append(Half.bits(value), to: &out) } else { append(value.bitPattern, to: &out) }
                }
            }
        }
        let digest = out.withUnsafeBytes { SHA256.hash($0) }
        out.append(contentsOf: digest)
        return (out, digest)
    }

    static func write(_ classifier: TextClassifier, to path: String) throws {
        let bytes = encode(header: classifier.header, index: classifier.index, model: classifier.model).bytes
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ModelError(.writeFailed, "cannot write model file \(path): \(error.localizedDescription)")
        }
    }

    @inline(__always)
    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    // MARK: - Reading

    static func read(path: String) throws -> TextClassifier {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelError(.fileNotFound, "model file \(path) does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.unreadable, "model file \(path) cannot be read")
        }
        return try data.withUnsafeBytes { try decode($0, path: path) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws -> TextClassifier {
        func fail(_ code: ModelError.Code, _ problem: String) -> ModelError {
            ModelError(code, "model file \(path) \(problem)")
        }
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            throw fail(.notAModel, "is not a triage model (no TRIAGEMD magic at the start)")
        }
        let fileVersion = Int(readUInt32(bytes, at: 8))
        guard fileVersion == formatVersion || fileVersion == linearFormatVersion else {
            throw fail(.incompatibleVersion, "has format version \(fileVersion); this build reads versions \(linearFormatVersion) and \(formatVersion)")
        }
        let headerLength = Int(readUInt32(bytes, at: 12))
        guard headerLength > 0, 16 + headerLength + 32 <= bytes.count else {
            throw fail(.truncated, "is truncated (\(bytes.count) bytes, header alone claims \(headerLength))")
        }
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch {
            throw fail(.corrupt, "has an unreadable header: \(error)")
        }
        try check(header, fileVersion: fileVersion, fail: fail)
        let rows = header.rowCount, labels = header.labels.count, hidden = header.hiddenSize ?? 0
        let weightSize = header.weightEncoding == "f16" ? 2 : 4
        var offset = (16 + headerLength + 3) / 4 * 4
        let expected = offset + rows * 8 + labels * 4 + rows * labels * weightSize
            + (hidden > 0 ? hidden * 4 + (rows + labels) * hidden * weightSize : 0) + 32
        guard bytes.count >= expected else {
            throw fail(.truncated, "is truncated: \(bytes.count) bytes, expected \(expected)")
        }
        guard bytes.count == expected else {
            throw fail(.corrupt, "has \(bytes.count - expected) unexpected trailing bytes")
        }
        let digest = SHA256.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<(expected - 32)]))
        guard digest == Array(bytes[(expected - 32)..<expected]) else {
            throw fail(.corrupt, "is corrupt: SHA-256 checksum does not match its contents")
        }
        let buckets = readArray(bytes, at: &offset, count: rows) { UInt32($0) }
        let idf = readArray(bytes, at: &offset, count: rows) { Float(bitPattern: $0) }
        let bias = readArray(bytes, at: &offset, count: labels) { Float(bitPattern: $0) }
        func readWeights(count: Int) -> [Float] {
            if weightSize == 2 {
                let start = offset
                offset += 2 * count
                return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        buffer[i] = Half.float(UInt16(bytes[start + 2 * i]) | UInt16(bytes[start + 2 * i + 1]) << 8)
                    }
                    initialized = count
                }
            }
            return readArray(bytes, at: &offset, count: count) { Float(bitPattern: $0) }
        }
        let weights = readWeights(count: rows * labels)
        var model = LinearModel(rowCount: rows, labelCount: labels, hiddenSize: hidden, hiddenWordsOnly: header.hiddenInput != "all", packedWeights: weights, bias: bias)
        if hidden > 0 {
            let hiddenBias = readArray(bytes, at: &offset, count: hidden) { Float(bitPattern: $0) }
            let embedding = readWeights(count: rows * hidden)
            let output = readWeights(count: hidden * labels)
            guard (hiddenBias + embedding + output).allSatisfy(\.isFinite) else {
                throw fail(.corrupt, "is corrupt: the hidden layer holds non-finite weights")
            }
            model.setHidden(embedding: embedding, hiddenBias: hiddenBias, packedOutput: output)
        }
        guard zip(buckets, buckets.dropFirst()).allSatisfy({ $0 < $1 }),
              buckets.allSatisfy({ $0 < UInt32(1) << UInt32(header.featurizer.bucketBits) })
        else { throw fail(.corrupt, "is corrupt: feature buckets are out of order or out of range") }
        return TextClassifier(
            header: header,
            index: FeatureIndex(bucketBits: header.featurizer.bucketBits, bucketOfRow: buckets, idf: idf),
            model: model,
            version: version(ofDigest: digest))
    }

    private static func check(_ header: ModelHeader, fileVersion: Int, fail: (ModelError.Code, String) -> ModelError) throws {
        guard header.formatVersion == fileVersion else {
            throw fail(.incompatibleVersion, "header says format version \(header.formatVersion); expected \(fileVersion)")
        }
        let hidden = header.hiddenSize ?? 0
        guard fileVersion == formatVersion ? (hidden > 0 && hidden % 32 == 0 && hidden <= 256) : hidden == 0 else {
            throw fail(.corrupt, "has hidden size \(hidden), which format version \(fileVersion) does not allow")
        }
        guard hidden == 0 ? header.hiddenInput == nil : ["words", "all"].contains(header.hiddenInput ?? "") else {
            throw fail(.incompatibleVersion, "has hidden input \"\(header.hiddenInput ?? "")\"; this build reads words and all")
        }
        guard header.labels.count >= 2, Set(header.labels).count == header.labels.count else {
            throw fail(.corrupt, "has an invalid label set (\(header.labels.count) labels)")
        }
        guard header.weightEncoding == "f32" || header.weightEncoding == "f16" else {
            throw fail(.incompatibleVersion, "uses weight encoding \"\(header.weightEncoding)\"; this build reads f32 and f16")
        }
        guard header.rowCount >= 0, header.temperature > 0, header.temperature.isFinite else {
            throw fail(.corrupt, "has an invalid row count or temperature")
        }
        if let profile = header.abstainProfile {
            let l = header.labels.count
            guard profile.prototypes.count == l * l, profile.entropyMeans.count == l,
                  profile.weight.isFinite, profile.prototypes.allSatisfy(\.isFinite), profile.entropyMeans.allSatisfy(\.isFinite) else {
                throw fail(.corrupt, "has an abstain profile that does not match its \(l) labels")
            }
        } else if header.abstainMethod == .classProfile {
            throw fail(.corrupt, "uses abstain method classProfile but has no abstain profile")
        }
        do { try header.featurizer.validate() } catch let error as ModelError {
            throw fail(.incompatibleVersion, "has unsupported featurizer settings: \(error.message)")
        }
    }

    @inline(__always)
    private static func readUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    private static func readArray<T>(_ bytes: UnsafeRawBufferPointer, at offset: inout Int, count: Int, _ make: (UInt32) -> T) -> [T] {
        let start = offset
        offset += count * 4
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = make(readUInt32(bytes, at: start + 4 * i)) }
            initialized = count
        }
    }
}

/// IEEE 754 half precision conversion, done by hand so the file format does not depend on
/// the platform's `Float16` support.
enum Half {
    static func bits(_ value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16((x >> 16) & 0x8000)
        let exponent = Int((x >> 23) & 0xff) - 127 + 15
        var mantissa = x & 0x7f_ffff
        if (x >> 23) & 0xff == 0xff { return sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0) }
        if exponent >= 31 { return sign | 0x7c00 }
        if exponent <= 0 {
            if exponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - exponent)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(exponent) << 10 | mantissa >> 13
        let remainder = mantissa & 0x1fff
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    static func float(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            let value = Float(mantissa) * 0x1p-24
            return sign != 0 ? -value : value
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13) }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}
