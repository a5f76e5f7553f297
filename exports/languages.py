"""Handout languages: printed labels, dates, language choices and Spanish wording rules (pure)."""

from __future__ import annotations

import re
from datetime import date

LANGS = ("en", "es")
# What a clinic can print: one language, or a bilingual packet (every handout in English, then
# every handout in Spanish).
CHOICES = {"en": ("en",), "es": ("es",), "en+es": ("en", "es")}
CHOICE_NAMES = {"en": "English", "es": "Spanish (español)",
                "en+es": "Both: English, then Spanish"}
LANG_NAMES = {"en": "English", "es": "Spanish"}
REVIEW_STATUSES = ("pending", "reviewed")

# The words printed around the content. Spanish uses "usted" and neutral, US-clinic Spanish.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "what_you_can_do": "What you can do",
        "off_label_heading": "A note about medicines used off-label",
        "call_team": "Call your care team if…",
        "call_before": "Call ",
        "call_after": " if:",
        "phone_number": "Phone number",
        "write_in_team": "Write your care team's phone number on the line.",
        "write_in_clinic": "Write your clinic's phone number on the line.",
        "your_clinic": "Your clinic",
        "emergency": "Get emergency help if…",
        "emergency_lead": "Call your emergency number (such as 911, 999 or 112) right away if:",
        "written": "Written",
        "reviewed": "Reviewed",
        "sources": "Where this information comes from",
        "phone": "Phone",
        "care_team": "Your care team",
        "website": "Website",
        "notes": "Notes from your care team",
        "packet_title": "Your MS handouts from {clinic}",
        "cover_heading": "Your MS handouts",
        "cover_lead": "Plain-language information about multiple sclerosis (MS) and your "
                      "muscles, from {clinic}.",
        "contents": "In this packet",
        "logo": "{clinic} logo",
        "interpreter": "",
    },
    "es": {
        "what_you_can_do": "Lo que usted puede hacer",
        "off_label_heading": "Sobre los medicamentos de uso no aprobado (off-label)",
        "call_team": "Llame a su equipo de salud si…",
        "call_before": "Llame al ",
        "call_after": " si:",
        "phone_number": "Número de teléfono",
        "write_in_team": "Escriba en la línea el teléfono de su equipo de salud.",
        "write_in_clinic": "Escriba en la línea el teléfono de su clínica.",
        "your_clinic": "Su clínica",
        "emergency": "Pida ayuda de emergencia si…",
        "emergency_lead": "Llame al 911 de inmediato si:",
        "written": "Escrito",
        "reviewed": "Revisado",
        "sources": "De dónde viene esta información",
        "phone": "Teléfono",
        "care_team": "Su equipo de salud",
        "website": "Sitio web",
        "notes": "Notas de su equipo de salud",
        "packet_title": "Sus folletos sobre la EM de {clinic}",
        "cover_heading": "Sus folletos sobre la EM",
        "cover_lead": "Información fácil de leer sobre la esclerosis múltiple (EM) y sus "
                      "músculos, de {clinic}.",
        "contents": "En este paquete",
        "logo": "Logotipo de {clinic}",
        # US federal rules (CLAS 7, ACA Section 1557): say that language help is free.
        "interpreter": "Tiene derecho a un intérprete gratis. Cuando llame, diga «español» y "
                       "pida un intérprete.",
    },
}

MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

# Shown to clinic staff (on the handout pages and in the CLI), never printed for the patient.
REVIEW_PENDING = ("Not yet reviewed by a qualified medical translator or bilingual clinician: "
                  "have the {lang} version checked before you give it to patients.")
REVIEWED_BY = "{lang} version reviewed by {who}."

# Wording the brief rules out for US Spanish-speaking readers (section 14): words used only in
# Spain, and false friends that mean something else to many readers.
AVOID_ES = {
    "ordenador": "a Spain-only word; say «computadora»",
    "coger": "a Spain-only word that is rude in much of Latin America",
    "zumo": "a Spain-only word; say «jugo»",
    "constipado": "means having a cold; say «estreñimiento» for constipation",
    "constipación": "is read as a cold; say «estreñimiento»",
    "vosotros": "not used in the Americas; use «ustedes»",
}
_CONTRACTURA = re.compile(r"\bcontracturas?\b(?!\s+articular)", re.IGNORECASE)
_FATIGA = re.compile(r"\bfatiga\b", re.IGNORECASE)
_FATIGA_OK = re.compile(r"cansancio extremo \(fatiga\)", re.IGNORECASE)


def choice_langs(choice: str) -> tuple[str, ...]:
    """The languages a print choice covers, in print order; ValueError for an unknown one."""
    try:
        return CHOICES[choice]
    except KeyError:
        raise ValueError(f"language must be one of {', '.join(CHOICES)}, not {choice!r}") from None


def labels(lang: str) -> dict[str, str]:
    """A copy of the printed labels for one language."""
    return dict(LABELS[lang])


def long_date(value: date, lang: str) -> str:
    """A date no reader can misread: '21 November 2026' or '21 de noviembre de 2026'."""
    if lang == "es":
        return f"{value.day} de {MONTHS_ES[value.month - 1]} de {value.year}"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def review_line(lang: str, status: str, reviewed_by: str) -> str:
    """The clinic-only line about a translation's review; empty for an original English text."""
    if lang == "en":
        return ""
    if status == "reviewed" and reviewed_by:
        return REVIEWED_BY.format(lang=LANG_NAMES[lang], who=reviewed_by)
    return REVIEW_PENDING.format(lang=LANG_NAMES[lang])


def wording_problems(text: str) -> list[str]:
    """Spanish wording the brief rules out, one message per problem found in text."""
    problems = []
    words = set(re.findall(r"\w+", text.lower()))
    problems += [f"«{word}» {why}" for word, why in AVOID_ES.items() if word in words]
    if _CONTRACTURA.search(text):
        problems.append("«contractura» alone often means a muscle knot; "
                        "say «contractura articular»")
    if len(_FATIGA.findall(text)) > len(_FATIGA_OK.findall(text)):
        problems.append("«fatiga» can mean breathlessness; write «cansancio extremo (fatiga)»")
    return problems
