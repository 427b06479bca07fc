extension EscapeHatchLexicon {
    /// Spanish. Covers "quiero hablar con un agente", "páseme con una persona real",
    /// "que me atienda un humano", "comunicarme con un asesor".
    public static let spanish = EscapeHatchLexicon(
        persons: [
            "agente", "agentes", "humano", "humanos", "persona", "personas", "representante",
            "representantes", "asesor", "asesora", "asesores", "operador", "operadora", "operadores",
            "ejecutivo", "ejecutiva", "supervisor", "supervisora",
        ],
        someones: [
            "alguien", "empleado", "empleada", "encargado", "encargada", "gerente", "responsable",
            "asistente", "gente",
        ],
        contactWords: [
            "hablar", "hablarle", "hablo", "habla", "hable", "hablen", "platicar", "charlar", "chatear",
            "conversar", "comunicarme", "comunicar", "comunicarse", "comunicame", "comuniqueme",
            "comuniquen", "comuniquenme", "contactar", "contactarme", "contactarlo", "contacto",
            "llamar", "llamarme", "llame", "llamen", "llameme", "atienda", "atiendan", "atender",
            "atenderme", "atiende", "pasar", "pasarme", "pasame", "paseme", "pasen", "pasenme",
            "transferir", "transfiera", "transfieran", "transfierame", "ponme", "pongame", "ponerme",
            "conectar", "conectarme", "conecten", "derivar", "derivarme", "derive", "escalar",
        ],
        desireWords: [
            "quiero", "quisiera", "queremos", "necesito", "necesitamos", "deseo", "pido", "solicito",
            "exijo", "dame", "denme", "deme", "prefiero", "quiere",
        ],
        fillers: [
            "con", "a", "al", "un", "una", "uno", "el", "la", "los", "las", "algun", "alguna", "por",
            "favor", "porfa", "porfavor", "xfa", "ya", "ahora", "me", "le", "lo", "mi", "de", "del",
            "que", "q", "puedo", "puede", "pueden", "podria", "podrian", "sus", "su", "otro",
            "otra", "directamente", "inmediatamente", "rapido", "favor", "usted", "ustedes", "en",
            "hola", "servicio", "cliente", "clientes", "atencion", "soporte", "tecnico", "puto",
            "puta", "pinche", "maldito", "maldita", "jodido", "jodida", "mierda", "carajo", "ser",
            "seres", "verdadero", "verdadera", "nuevo", "nueva", "mas", "alto", "nivel",
        ],
        realnessBefore: ["verdadero", "verdadera", "autentico", "autentica"],
        realnessAfter: ["real", "reales", "humano", "humana", "humanos", "verdadero", "verdadera", "vivo", "fisico", "fisica"],
        negations: ["no", "nunca", "ningun", "ninguna", "ninguno", "jamas", "tampoco"],
        withouts: ["sin", "evitar"],
        pastAuxiliaries: ["he", "ha", "han", "hemos", "habia", "hube"],
        guards: [
            "viajes", "viaje", "seguros", "seguro", "aduana", "aduanas", "inmobiliario", "inmobiliaria",
            "bienes", "raices", "bolsa", "transito", "policia", "error", "errores", "recursos", "derechos",
            "cuerpo", "factor", "naturaleza", "virtual", "trafico", "fallo", "secreto", "libre", "bancario",
        ],
        guardLinkers: ["de", "del"],
        compoundGuards: [],
        compoundHeads: [],
        bots: ["bot", "bots", "robot", "robots", "maquina", "maquinas", "contestadora", "ia"],
        selfCopulas: ["soy"],
        gluePrefixes: ["con", "a", "un", "una"],
        knownWords: [
            "pagar", "pagare", "pasear", "pasara", "hablado", "hablamos", "llamada", "llamadas", "llamado",
            "contrato", "contratos", "contado", "contrasena", "agenda", "urgente", "gentes", "humo",
            "personalmente", "personaje", "atiendo", "atento", "conecta", "contactos", "dame", "dane",
            "calle", "cama", "asistencia", "resistente", "operacion", "operaciones", "representacion",
        ]
    )
}
