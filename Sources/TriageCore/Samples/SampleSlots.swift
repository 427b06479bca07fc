/// Fills template slots with varied values and adds the odd bit of human noise.
enum SampleSlots {
    static let merchants = [
        "Amazon", "Lidl", "Uber", "Netflix", "Spotify", "Shell", "IKEA", "Zara", "Ryanair",
        "Booking.com", "Deliveroo", "MediaMarkt", "Carrefour", "Tesco", "Apple", "Steam",
        "CornerShop 24", "Green Grocer Ltd", "CityParking", "FitGym",
    ]
    static let cities = [
        "Madrid", "Berlin", "Lyon", "Manchester", "Leeds", "Porto", "Munich", "Bristol",
        "Sevilla", "Hamburg", "Lille", "Glasgow", "Valencia", "Cologne", "Nantes", "Dublin",
    ]
    static let names = ["Ana", "Tom", "Priya", "Lukas", "Sophie", "Marco", "Chloé", "Jamal", "Mei", "Olga", "Kofi", "Inés"]
    static let devices = ["iPhone", "Android phone", "Samsung", "Pixel", "iPad", "new phone", "laptop"]

    /// Replaces every `{slot}` in `template`.
    static func fill(_ template: String, language: SampleLanguage, random: inout SeededRandom) -> String {
        guard template.contains("{") else { return template }
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            result += value(for: rest[rest.index(after: open)..<close], language: language, random: &random)
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private static func value(for slot: Substring, language: SampleLanguage, random: inout SeededRandom) -> String {
        switch slot {
        case "card": return pad(random.int(in: 0..<10_000), width: 4)
        case "amount": return amount(language: language, random: &random)
        case "merchant": return random.pick(merchants)
        case "city": return random.pick(cities)
        case "name": return random.pick(names)
        case "device": return random.pick(devices)
        case "days": return String(random.int(in: 6...35))
        case "date": return date(language: language, random: &random)
        case "field": return field(language: language, random: &random)
        default: return String(slot)
        }
    }

    private static func amount(language: SampleLanguage, random: inout SeededRandom) -> String {
        let cents = random.chance(0.3) ? 0 : random.int(in: 1..<100)
        let units = random.chance(0.8) ? random.int(in: 2..<250) : random.int(in: 250..<5_000)
        let decimal = language == .en ? "." : ","
        let number = "\(units)\(decimal)\(pad(cents, width: 2))"
        switch language {
        case .en: return random.pick(["£", "$", "€", "EUR "]) + number
        default: return random.chance(0.8) ? number + " €" : number + " EUR"
        }
    }

    private static func date(language: SampleLanguage, random: inout SeededRandom) -> String {
        let day = random.int(in: 1...28)
        switch language {
        case .en: return random.pick(["yesterday", "on Monday", "last Friday", "this morning", "on \(day) March", "two days ago"])
        case .es: return random.pick(["ayer", "el lunes", "esta mañana", "el \(day) de marzo", "hace dos días"])
        case .de: return random.pick(["gestern", "am Montag", "heute Morgen", "am \(day). März", "vor zwei Tagen"])
        case .fr: return random.pick(["hier", "lundi", "ce matin", "le \(day) mars", "il y a deux jours"])
        }
    }

    private static func field(language: SampleLanguage, random: inout SeededRandom) -> String {
        switch language {
        case .en: return random.pick(["address", "phone number", "email", "surname"])
        case .es: return random.pick(["dirección", "teléfono", "correo electrónico"])
        case .de: return random.pick(["Adresse", "Telefonnummer", "E-Mail-Adresse"])
        case .fr: return random.pick(["adresse", "numéro de téléphone", "e-mail"])
        }
    }

    /// Now and then, makes the text look typed in a hurry: lower case, a swapped pair of
    /// letters, a shouted word, doubled punctuation.
    static func addNoise(_ text: String, random: inout SeededRandom) -> String {
        guard random.chance(0.15) else { return text }
        switch random.int(in: 0..<4) {
        case 0:
            return text.lowercased()
        case 1:
            var characters = Array(text)
            guard characters.count > 10 else { return text }
            let i = random.int(in: 1..<(characters.count - 2))
            if characters[i].isLetter && characters[i + 1].isLetter { characters.swapAt(i, i + 1) }
            return String(characters)
        case 2:
            var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard !words.isEmpty else { return text }
            let i = random.int(in: 0..<words.count)
            words[i] = words[i].uppercased()
            return words.joined(separator: " ")
        default:
            return text.hasSuffix(".") ? String(text.dropLast()) + "!!" : text + " ??"
        }
    }

    static func pad(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// RFC 3339 text for `epoch` (UTC seconds) shown at `offsetMinutes`, with optional milliseconds.
    static func timestamp(epoch: Int, offsetMinutes: Int, millis: Int?) -> String {
        let local = epoch + offsetMinutes * 60
        let (days, secondOfDay) = (local / 86_400, local % 86_400)
        let (y, m, d) = civil(fromDays: days)
        var text = "\(pad(y, width: 4))-\(pad(m, width: 2))-\(pad(d, width: 2))T"
        text += "\(pad(secondOfDay / 3600, width: 2)):\(pad(secondOfDay / 60 % 60, width: 2)):\(pad(secondOfDay % 60, width: 2))"
        if let millis { text += ".\(pad(millis, width: 3))" }
        if offsetMinutes == 0 { return text + "Z" }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let magnitude = abs(offsetMinutes)
        return text + "\(sign)\(pad(magnitude / 60, width: 2)):\(pad(magnitude % 60, width: 2))"
    }

    /// Howard Hinnant's civil-from-days, for days since 1970-01-01 (non-negative here).
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
