extension SamplePhrasebook {
    static let spanish = SamplePhrasebook(
        greetings: ["Hola,", "Buenos días,", "Buenas tardes,", "Estimado equipo,", ""],
        closings: ["Gracias.", "Un saludo, {name}", "Muchas gracias", "Saludos", ""],
        bodies: [
            [
                "He perdido mi tarjeta terminada en {card} {date}. Por favor, bloquéenla.",
                "Me robaron la cartera en {city} con la tarjeta dentro. ¿Cómo la cancelo?",
                "No encuentro mi tarjeta desde que pagué en {merchant}. Quiero bloquearla y pedir otra.",
            ],
            [
                "Pedí una tarjeta nueva hace {days} días y todavía no ha llegado.",
                "La tarjeta de reemplazo no me ha llegado, la app dice que se envió {date}.",
                "Sigo esperando mi nueva tarjeta. ¿La enviaron a mi dirección antigua en {city}?",
            ],
            [
                "Mi pago de {amount} en {merchant} fue rechazado y tengo saldo suficiente.",
                "La transferencia de {amount} no se realizó, la aplicación muestra un error.",
                "Intenté pagar con la tarjeta {card} en {merchant} {date} y falló varias veces.",
            ],
            [
                "Devolví un pedido a {merchant} y aún no me han reembolsado {amount}.",
                "Me cobraron dos veces {amount} en {merchant}. Quiero que me devuelvan uno de los cargos.",
                "Cancelé la suscripción pero me cobraron {amount} {date}. Solicito el reembolso.",
            ],
            [
                "No puedo iniciar sesión en la app, dice que la contraseña es incorrecta.",
                "Mi cuenta está bloqueada después de varios intentos. ¿Cómo la desbloqueo?",
                "No me llega el código SMS para entrar desde mi {device}.",
            ],
            [
                "Me he mudado a {city} y necesito cambiar mi dirección.",
                "Quiero actualizar mi número de teléfono en la cuenta.",
                "¿Cómo puedo cambiar mi {field}? La app no me deja editarlo.",
            ],
            [
                "Hay un cargo de {amount} en {merchant} {date} que yo no hice.",
                "No reconozco una operación de {amount} con mi tarjeta {card}. ¿Es un fraude?",
                "Alguien ha usado mi tarjeta en {city} y yo no he salido de casa.",
            ],
            [
                "¿Qué comisiones tiene usar la tarjeta en el extranjero?",
                "¿Cuál es el horario de la oficina de {city}?",
                "¿Cómo descargo el extracto del año pasado?",
            ],
        ],
        subjects: [
            ["Tarjeta perdida"], ["Tarjeta no recibida"], ["Pago rechazado"], ["Reembolso"],
            ["No puedo entrar"], ["Cambio de datos"], ["Cargo desconocido"], ["Consulta"],
        ],
        humanRequests: [
            "Agente por favor, quiero hablar con una persona.",
            "Necesito hablar con un agente humano, no con un robot.",
        ],
        followUps: ["Les escribo de nuevo porque nadie me ha respondido.", "¿Hay alguna novedad?"],
        filler: "Copio abajo el registro completo de errores de la aplicación. "
    )
}
