"""A deterministic generator of large synthetic bundles with the shape of real WTDC material.

``python -m bench.generate --size 10k --out DIR`` writes ``DIR/source/`` (records/*.jsonl and a
manifest header) and ``DIR/full.wtdc.zip`` built by the project's own bundle writer. The same
size and seed always give the same records.

Shape: one conference (two weeks of parallel sessions in five rooms), six regional preparatory
meetings, TDAG and study-group meetings; document symbols with addenda (the regional common
proposals: one addendum per proposal) and revisions; Markdown summaries and texts of realistic
length in English, French, Spanish, Russian, Arabic and Chinese; proposals from the six
regions with ADD / MOD / SUP / NOC actions on Resolutions and Questions; contacts, priorities
with pledges and deadlines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

from wtdc_desktop.bundles.writer import Header, build_bundle

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
SEED = 20250601
REGIONS = {
    "AFR": ("ATU", "Africa"), "AMS": ("CITEL", "Americas"), "ARB": ("ASMG", "Arab States"),
    "ASP": ("APT", "Asia-Pacific"), "CIS": ("RCC", "CIS"), "EUR": ("CEPT", "Europe"),
}
LANGS = ("en", "fr", "es", "ru", "ar", "zh")
LANG_LETTER = {"en": "E", "fr": "F", "es": "S", "ru": "R", "ar": "A", "zh": "C"}
# A weighted choice of the language a text is written in (most are in English or French).
LANG_WEIGHTS = (40, 22, 14, 9, 8, 7)

# Phrases of the domain in each language; sentences are random draws from these.
WORDS = {
    "en": ("broadband connectivity", "rural and remote areas", "digital inclusion", "spectrum management",
           "cybersecurity", "emergency telecommunications", "capacity building", "e-waste",
           "smart villages", "affordable access", "least developed countries", "universal service funds",
           "the strategic plan", "the operational plan", "regional initiatives", "study group Questions",
           "gender equality", "persons with disabilities", "digital skills", "satellite backhaul",
           "infrastructure sharing", "the ITU-D Sector", "Member States", "Sector Members",
           "the Telecommunication Development Bureau", "early warning systems", "the rationalization of Resolutions",
           "public-private partnerships", "data collection and statistics", "climate change adaptation"),
    "fr": ("connectivité large bande", "zones rurales et isolées", "inclusion numérique", "gestion du spectre",
           "cybersécurité", "télécommunications d'urgence", "renforcement des capacités", "déchets électroniques",
           "villages intelligents", "accès abordable", "pays les moins avancés", "fonds pour le service universel",
           "le plan stratégique", "le plan opérationnel", "initiatives régionales", "Questions des commissions d'études",
           "égalité hommes-femmes", "personnes handicapées", "compétences numériques", "réseaux de collecte par satellite",
           "partage des infrastructures", "le Secteur de l'UIT-D", "États Membres", "Membres de Secteur",
           "le Bureau de développement des télécommunications", "systèmes d'alerte avancée",
           "la rationalisation des Résolutions", "partenariats public-privé", "statistiques et collecte de données",
           "adaptation aux changements climatiques"),
    "es": ("conectividad de banda ancha", "zonas rurales y distantes", "inclusión digital", "gestión del espectro",
           "ciberseguridad", "telecomunicaciones de emergencia", "creación de capacidades", "residuos electrónicos",
           "aldeas inteligentes", "acceso asequible", "países menos adelantados", "fondos de servicio universal",
           "el plan estratégico", "iniciativas regionales", "Cuestiones de las comisiones de estudio",
           "igualdad de género", "personas con discapacidad", "competencias digitales", "Estados Miembros",
           "Miembros de Sector", "la Oficina de Desarrollo de las Telecomunicaciones", "sistemas de alerta temprana",
           "racionalización de las Resoluciones", "asociaciones público-privadas", "adaptación al cambio climático"),
    "ru": ("широкополосное подключение", "сельские и отдаленные районы", "цифровая интеграция",
           "управление использованием спектра", "кибербезопасность", "электросвязь в чрезвычайных ситуациях",
           "создание потенциала", "электронные отходы", "умные деревни", "приемлемый в ценовом отношении доступ",
           "наименее развитые страны", "стратегический план", "региональные инициативы",
           "Вопросы исследовательских комиссий", "гендерное равенство", "лица с ограниченными возможностями",
           "цифровые навыки", "Государства-Члены", "Члены Сектора", "Бюро развития электросвязи",
           "системы раннего предупреждения", "рационализация резолюций", "государственно-частное партнерство"),
    "ar": ("التوصيلية عريضة النطاق", "المناطق الريفية والنائية", "الشمول الرقمي", "إدارة الطيف", "الأمن السيبراني",
           "اتصالات الطوارئ", "بناء القدرات", "المخلفات الإلكترونية", "القرى الذكية", "النفاذ الميسور التكلفة",
           "أقل البلدان نمواً", "الخطة الاستراتيجية", "المبادرات الإقليمية", "مسائل لجان الدراسات",
           "المساواة بين الجنسين", "الأشخاص ذوو الإعاقة", "المهارات الرقمية", "الدول الأعضاء", "أعضاء القطاع",
           "مكتب تنمية الاتصالات", "أنظمة الإنذار المبكر", "ترشيد القرارات", "الشراكات بين القطاعين العام والخاص"),
    "zh": ("宽带连接", "农村和偏远地区", "数字包容", "频谱管理", "网络安全", "应急通信", "能力建设", "电子废物",
           "智慧村庄", "可负担的接入", "最不发达国家", "普遍服务基金", "战略规划", "区域举措", "研究组课题",
           "性别平等", "残疾人", "数字技能", "成员国", "部门成员", "电信发展局", "预警系统", "决议的精简",
           "公私伙伴关系", "适应气候变化"),
}
VERBS = {
    "en": ("The conference invites {a} to strengthen {b}.", "{A} remains essential for {b}.",
           "Delegations stressed the link between {a} and {b}.", "The Bureau is instructed to report on {a} and {b}.",
           "We propose to update the text on {a}, taking into account {b}."),
    "fr": ("La conférence invite {a} à renforcer {b}.", "{A} reste essentiel pour {b}.",
           "Les délégations ont souligné le lien entre {a} et {b}.",
           "Le Bureau est chargé de faire rapport sur {a} et {b}.",
           "Nous proposons de mettre à jour le texte relatif à {a}, compte tenu de {b}."),
    "es": ("La conferencia invita a {a} a fortalecer {b}.", "{A} sigue siendo esencial para {b}.",
           "Las delegaciones subrayaron el vínculo entre {a} y {b}.",
           "Se encarga a la Oficina que informe sobre {a} y {b}."),
    "ru": ("Конференция предлагает {a} укрепить {b}.", "{A} остается важнейшим условием для {b}.",
           "Делегации подчеркнули связь между {a} и {b}.", "Бюро поручается представить отчет о {a} и {b}."),
    "ar": ("يدعو المؤتمر {a} إلى تعزيز {b}.", "تظل {a} ضرورية من أجل {b}.",
           "أكدت الوفود على الصلة بين {a} و{b}.", "يُكلَّف المكتب بتقديم تقرير عن {a} و{b}."),
    "zh": ("大会请{a}加强{b}。", "{A}对于{b}仍然至关重要。", "各代表团强调了{a}与{b}之间的联系。", "责成电信发展局就{a}和{b}提交报告。"),
}
HEADINGS = {
    "en": ("Introduction", "Proposal", "Reasons", "Background", "Discussion"),
    "fr": ("Introduction", "Proposition", "Motifs", "Contexte", "Discussion"),
    "es": ("Introducción", "Propuesta", "Motivos", "Antecedentes", "Debate"),
    "ru": ("Введение", "Предложение", "Основания", "Справочная информация", "Обсуждение"),
    "ar": ("مقدمة", "اقتراح", "الأسباب", "معلومات أساسية", "مناقشة"),
    "zh": ("导言", "提案", "理由", "背景", "讨论"),
}
ROOMS = ("Plenary hall", "Room A", "Room B", "Room C", "Room D")
CONFERENCE = "WTDC-25"
CONF_START = dt.date(2025, 11, 17)
CONF_TZ = "Asia/Baku"
CONF_OFFSET = "+04:00"


class Generator:
    def __init__(self, documents: int, seed: int = SEED) -> None:
        self.n = documents
        self.rng = random.Random(seed)

    # -- text ---------------------------------------------------------------------------

    def lang(self) -> str:
        return self.rng.choices(LANGS, LANG_WEIGHTS)[0]

    def sentence(self, lang: str) -> str:
        a, b = self.rng.sample(WORDS[lang], 2)
        pattern = self.rng.choice(VERBS[lang])
        return pattern.format(a=a, b=b, A=a[:1].upper() + a[1:])

    def paragraph(self, lang: str, sentences: int) -> str:
        sep = "" if lang == "zh" else " "
        return sep.join(self.sentence(lang) for _ in range(sentences))

    def markdown(self, lang: str, length: int) -> str:
        """Markdown of about ``length`` characters: headings, paragraphs, a list, emphasis."""
        parts: list[str] = []
        size = 0
        heads = HEADINGS[lang]
        while size < length:
            kind = self.rng.random()
            if kind < 0.15:
                block = f"## {self.rng.choice(heads)}"
            elif kind < 0.3:
                block = "\n".join(f"- {self.sentence(lang)}" for _ in range(self.rng.randint(2, 4)))
            elif kind < 0.4:
                block = f"> **{self.rng.choice(WORDS[lang])}**: {self.sentence(lang)}"
            else:
                block = self.paragraph(lang, self.rng.randint(2, 5))
            parts.append(block)
            size += len(block) + 2
        return "\n\n".join(parts) + "\n"

    def title(self, lang: str) -> str:
        a, b = self.rng.sample(WORDS[lang], 2)
        joiner = {"en": " and ", "fr": " et ", "es": " y ", "ru": " и ", "ar": " و", "zh": "与"}[lang]
        return (a[:1].upper() + a[1:] + joiner + b)[:160]

    # -- records --------------------------------------------------------------------------

    def meetings(self) -> list[dict]:
        out = [{"id": CONFERENCE, "kind": "conference", "title": "World Telecommunication Development Conference 2025",
                "city": "Baku", "country": "AZ", "timezone": CONF_TZ, "starts_on": CONF_START.isoformat(),
                "ends_on": (CONF_START + dt.timedelta(days=11)).isoformat()}]
        for i, (region, (_rto, name)) in enumerate(REGIONS.items()):
            start = dt.date(2025, 2, 3) + dt.timedelta(days=21 * i)
            out.append({"id": f"RPM-{region}-25", "kind": "rpm", "region": region, "timezone": "UTC",
                        "title": f"Regional Preparatory Meeting for WTDC-25 – {name}",
                        "starts_on": start.isoformat(), "ends_on": (start + dt.timedelta(days=2)).isoformat()})
        out.append({"id": "TDAG-25", "kind": "tdag", "title": "Telecommunication Development Advisory Group",
                    "timezone": "Europe/Zurich", "starts_on": "2025-05-26", "ends_on": "2025-05-30"})
        for sg in (1, 2):
            out.append({"id": f"SG{sg}RGQ-25", "kind": "study_group", "title": f"ITU-D Study Group {sg} Rapporteur Group meetings",
                        "timezone": "Europe/Zurich", "starts_on": "2025-04-07", "ends_on": "2025-04-18"})
        return out

    def committees(self) -> list[dict]:
        out = [{"id": f"{CONFERENCE}/PLEN", "meeting": CONFERENCE, "name": "Plenary", "kind": "plenary"}]
        for c in range(1, 6):
            out.append({"id": f"{CONFERENCE}/COM{c}", "meeting": CONFERENCE, "name": f"Committee {c}",
                        "kind": "committee", "mandate": self.markdown("en", 300)})
        for w in range(1, 9):
            out.append({"id": f"{CONFERENCE}/WG-{w}", "meeting": CONFERENCE, "name": f"Working Group {w}",
                        "kind": "working_group"})
        return out

    def resolutions(self) -> list[dict]:
        out = []
        for number in range(1, 91):
            lang = self.lang()
            out.append({"id": f"WTDC/{number}", "body": "WTDC", "number": number, "title": self.title(lang),
                        "revision": "Rev. Kigali, 2022", "status": self.rng.choice(("in_force",) * 9 + ("suppressed",)),
                        "text": self.markdown(lang, self.rng.randint(1500, 5000))})
        for number in (71, 101, 139, 140, 179, 200):
            out.append({"id": f"PP/{number}", "body": "PP", "number": number, "title": self.title("en"),
                        "revision": "Rev. Bucharest, 2022", "status": "in_force", "text": self.markdown("en", 1200)})
        return out

    def questions(self) -> list[dict]:
        out = []
        for sg, count in ((1, 7), (2, 7)):
            for q in range(1, count + 1):
                lang = self.lang()
                out.append({"id": f"2022-2025:{q}/{sg}", "number": f"{q}/{sg}", "study_group": sg,
                            "period": "2022-2025", "title": self.title(lang), "status": "continued",
                            "text": self.markdown(lang, 1500)})
        return out

    def documents_and_proposals(self) -> tuple[list[dict], list[dict]]:
        """Documents over the meetings; regional common proposals as addenda carrying proposals."""
        documents, proposals = [], []
        meetings = [CONFERENCE] * 6 + [f"RPM-{r}-25" for r in REGIONS] + ["TDAG-25", "SG1RGQ-25", "SG2RGQ-25"]
        numbers: dict[str, int] = {}
        base = dt.date(2025, 1, 6)
        while len(documents) < self.n:
            meeting = self.rng.choice(meetings)
            numbers[meeting] = numbers.get(meeting, 0) + 1
            number = numbers[meeting]
            lang = self.lang()
            region = self.rng.choice(tuple(REGIONS))
            common = meeting == CONFERENCE and self.rng.random() < 0.35
            source = REGIONS[region][0] if common else self.rng.choice(
                ("BDT", "Director, BDT", *[REGIONS[r][0] for r in REGIONS], "Brazil", "Egypt", "India", "France",
                 "Russian Federation", "China", "Saudi Arabia", "Mexico", "Kenya"))
            date = (base + dt.timedelta(days=self.rng.randint(0, 330))).isoformat()
            head = {
                "id": f"{meeting}/{number}", "meeting": meeting, "title": self.title(lang), "source": source,
                "date": date, "kind": self.rng.choice(("contribution",) * 6 + ("information", "temporary", "report")),
                "status": "published", "summary": self.markdown(lang, self.rng.randint(200, 500)),
                "languages": {code: {"title": self.title(code)} for code in self.rng.sample(LANGS, self.rng.randint(1, 6))},
            }
            if self.rng.random() < 0.3:
                head["text"] = self.markdown(lang, self.rng.randint(1000, 4000))
            documents.append(head)
            if self.rng.random() < 0.1 and len(documents) < self.n:
                rev = dict(head, id=f"{meeting}/{number}(Rev.1)", date=(base + dt.timedelta(days=340)).isoformat(),
                           summary=self.markdown(lang, 300), related=[head["id"]])
                documents.append(rev)
            if common:
                for add in range(1, self.rng.randint(2, 25)):
                    if len(documents) >= self.n:
                        break
                    doc_id = f"{meeting}/{number}(Add.{add})"
                    plang = self.lang()
                    documents.append({
                        "id": doc_id, "meeting": meeting, "title": self.title(plang), "source": source,
                        "date": date, "kind": "contribution", "status": "published",
                        "summary": self.markdown(plang, self.rng.randint(150, 400)),
                        "related": [head["id"]],
                    })
                    target_type = self.rng.choice(("resolution",) * 4 + ("question", "declaration", "strategic_plan"))
                    if target_type == "resolution":
                        target_id = f"WTDC/{self.rng.randint(1, 95)}"
                    elif target_type == "question":
                        target_id = f"{self.rng.randint(1, 7)}/{self.rng.randint(1, 2)}"
                    else:
                        target_id = "WTDC-25"
                    proposal = {
                        "id": f"{region}/{number}A{add}/1", "document": doc_id, "sources": [REGIONS[region][0]],
                        "action": self.rng.choice(("ADD", "MOD", "MOD", "MOD", "SUP", "NOC")),
                        "target": {"type": target_type, "id": target_id}, "title": self.title(plang),
                        "text": self.markdown(plang, self.rng.randint(600, 2500)),
                        "reasons": self.paragraph(plang, 3),
                        "status": self.rng.choice(("submitted", "under_discussion", "agreed", "agreed_modified", "noted")),
                        "committee": f"{CONFERENCE}/COM{self.rng.randint(1, 5)}",
                    }
                    if self.rng.random() < 0.15:
                        proposal["cost"] = {"amount": self.rng.randrange(50_000, 2_000_000, 10_000), "currency": "CHF"}
                    proposals.append(proposal)
        return documents, proposals

    def sessions(self, documents: list[dict]) -> list[dict]:
        """Parallel sessions over two weeks: five rooms, three slots a day, ten working days."""
        conf_docs = [d["id"] for d in documents if d["meeting"] == CONFERENCE][:2000]
        out = []
        slots = (("09:30", "12:30"), ("14:30", "17:30"), ("18:00", "20:00"))
        bodies = [f"{CONFERENCE}/PLEN"] + [f"{CONFERENCE}/COM{c}" for c in range(1, 6)] + \
                 [f"{CONFERENCE}/WG-{w}" for w in range(1, 9)]
        day = CONF_START
        count = 0
        while day < CONF_START + dt.timedelta(days=12):
            if day.weekday() < 5:
                for start, end in slots:
                    for room in ROOMS:
                        if room != "Plenary hall" and self.rng.random() < 0.2:
                            continue
                        count += 1
                        body = bodies[0] if room == "Plenary hall" else self.rng.choice(bodies[1:])
                        agenda = [{"item": i, "title": self.title("en"),
                                   "documents": self.rng.sample(conf_docs, min(len(conf_docs), self.rng.randint(0, 4)))}
                                  for i in range(1, self.rng.randint(2, 6))]
                        out.append({
                            "id": f"{CONFERENCE}/S{count:03d}", "meeting": CONFERENCE, "committee": body,
                            "title": f"{body.split('/')[1]} – session {count}", "room": room,
                            "starts_at": f"{day.isoformat()}T{start}:00{CONF_OFFSET}",
                            "ends_at": f"{day.isoformat()}T{end}:00{CONF_OFFSET}",
                            "status": self.rng.choice(("scheduled",) * 8 + ("changed", "cancelled")), "agenda": agenda,
                        })
            day += dt.timedelta(days=1)
        return out

    def contacts(self) -> list[dict]:
        out = []
        for i in range(max(60, self.n // 50)):
            region = self.rng.choice(tuple(REGIONS))
            out.append({"id": f"contact-{i:05d}", "name": f"Delegate {i:05d}", "region": region,
                        "organization": REGIONS[region][0], "role": self.title(self.lang()),
                        "email": f"delegate{i}@example.org", "languages": self.rng.sample(LANGS, 2)})
        return out

    def priorities(self) -> list[dict]:
        out = []
        for region in REGIONS:
            for k in range(1, 6):
                lang = self.lang()
                out.append({"id": f"PRIO-{region}-{k}", "region": region, "title": self.title(lang),
                            "description": self.markdown(lang, 800),
                            "estimated_cost": {"amount": self.rng.randrange(500_000, 5_000_000, 50_000), "currency": "CHF"},
                            "pledges": [{"from": self.rng.choice([v[0] for v in REGIONS.values()]),
                                         "amount": self.rng.randrange(10_000, 500_000, 10_000), "currency": "CHF",
                                         "status": self.rng.choice(("announced", "confirmed"))}
                                        for _ in range(self.rng.randint(0, 4))]})
        return out

    def deadlines(self, meetings: list[dict]) -> list[dict]:
        out = []
        for m in meetings:
            if not m.get("starts_on"):
                continue
            start = dt.date.fromisoformat(m["starts_on"])
            for days, what in ((30, "contributions"), (12, "common proposals"), (7, "late contributions")):
                out.append({"id": f"{m['id']}/DL-{days}", "meeting": m["id"], "title": f"Deadline for {what}",
                            "due": f"{(start - dt.timedelta(days=days)).isoformat()}T23:59:00Z"})
        return out

    def all_records(self) -> dict[str, list[dict]]:
        meetings = self.meetings()
        documents, proposals = self.documents_and_proposals()
        return {
            "region": [{"id": r, "name": name} for r, (_rto, name) in REGIONS.items()],
            "organization": [{"id": rto, "kind": "rto", "name": rto, "region": r} for r, (rto, _n) in REGIONS.items()],
            "meeting": meetings,
            "committee": self.committees(),
            "document": documents,
            "resolution": self.resolutions(),
            "question": self.questions(),
            "proposal": proposals,
            "session": self.sessions(documents),
            "contact": self.contacts(),
            "priority": self.priorities(),
            "deadline": self.deadlines(meetings),
        }


HEADER = {"publisher": {"id": "bench-publisher", "name": "Synthetic benchmark publisher"}, "channel": "BENCH",
          "sequence": 1, "kind": "full", "created_at": "2025-11-01T08:00:00Z"}


def write_source(records: dict[str, list[dict]], src: Path, header: dict | None = None) -> Path:
    """Write records/*.jsonl and a manifest header into ``src``."""
    (src / "records").mkdir(parents=True, exist_ok=True)
    for type_name, rows in records.items():
        with open(src / "records" / f"{type_name}.jsonl", "w", encoding="utf-8") as fp:
            for row in rows:
                fp.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    (src / "manifest.json").write_text(json.dumps(header or HEADER, indent=1) + "\n", "utf-8")
    return src


def generate(documents: int, out: Path, seed: int = SEED) -> tuple[Path, dict[str, list[dict]]]:
    """Write the source folder and ``full.wtdc.zip`` under ``out``; returns (bundle path, records)."""
    out = Path(out)
    records = Generator(documents, seed).all_records()
    src = write_source(records, out / "source")
    bundle = out / "full.wtdc.zip"
    build_bundle(src, bundle, Header())
    return bundle, records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="1k")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    bundle, records = generate(SIZES[args.size], args.out, args.seed)
    total = sum(len(v) for v in records.values())
    print(f"{bundle}: {total} records ({len(records['document'])} documents, {len(records['proposal'])} proposals, "
          f"{len(records['session'])} sessions), {bundle.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
