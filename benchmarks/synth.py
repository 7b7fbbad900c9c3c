"""Generate a realistic synthetic corpus in the seeds' own format, for benchmarks at any size.

The corpus looks like a year of news about many bilateral trade disputes: articles with text,
``sources.yaml`` (with the true sha256 of each article), ``entities.yaml`` (hundreds of states,
thousands of people, posts and agencies, plus measures, events, agreements and figures) and one
fact file per article whose quotes really occur in the article. The same measure or event is
reported by several articles (corroboration), some reports give a different rate or value of a
single-valued property (contradictions), and many facts are relayed from a few wire agencies, so
that independent origins are fewer than articles. It passes ``kg check``.

The output depends only on ``facts`` and ``seed``: the same arguments write byte-identical files.

Example:
    python benchmarks/synth.py --facts 1000 --out /tmp/synth-1k --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(ROOT))

from kg.seeds.anchor import Anchor, anchor_quote  # noqa: E402

ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "gr", "kr", "tr", "st", "th", "sh", "ch", "h", "j"]  # fmt: skip
VOWELS = ["a", "e", "i", "o", "u", "ae", "ia", "ou", "ei"]
CODAS = ["", "", "n", "r", "l", "s", "m", "th", "nd", "rk", "st"]
STATE_SUFFIXES = ["ia", "a", "land", "ova", "istan", "ea", "ar", "onia"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PRODUCTS = [
    ("steel", "iron and steel", "72"), ("aluminium", "aluminium", "76"), ("rice", "rice", "1006"),
    ("seafood", "fish and seafood", "03"), ("cars", "motor cars", "8703"),
    ("chips", "integrated circuits", "8542"), ("soybeans", "soybeans", "1201"),
    ("wheat", "wheat", "1001"), ("coffee", "coffee", "0901"), ("cotton", "cotton", "52"),
    ("copper", "copper", "74"), ("timber", "wood and timber", "44"), ("wine", "wine", "2204"),
    ("beef", "beef", "0201"), ("pork", "pork", "0203"), ("dairy", "dairy produce", "04"),
    ("solar-panels", "solar panels", "854143"), ("batteries", "lithium batteries", "850760"),
    ("pharmaceuticals", "pharmaceutical products", "30"), ("textiles", "textiles", "63"),
    ("machinery", "industrial machinery", "84"), ("fertiliser", "fertilisers", "31"),
    ("rare-earths", "rare-earth metals", "2805"), ("crude-oil", "crude oil", "2709"),
    ("natural-gas", "natural gas", "2711"), ("furniture", "furniture", "94"),
    ("footwear", "footwear", "64"), ("toys", "toys", "95"), ("sugar", "sugar", "17"),
    ("fruit", "fresh fruit", "08"), ("tea", "tea", "0902"), ("cocoa", "cocoa", "18"),
    ("glass", "glassware", "70"), ("paper", "paper and paperboard", "48"),
    ("plastics", "plastics", "39"), ("rubber", "rubber", "40"), ("ships", "ships and boats", "89"),
    ("aircraft-parts", "aircraft parts", "8803"), ("medical-devices", "medical devices", "9018"),
    ("smartphones", "smartphones", "851713"),
]  # fmt: skip
SECTORS = ["automobile", "agriculture", "energy", "technology", "metals", "textile", "chemicals", "shipbuilding"]  # fmt: skip
MINISTRIES = [("trade", "Ministry of Trade"), ("foreign", "Ministry of Foreign Affairs"), ("finance", "Ministry of Finance"), ("agriculture", "Ministry of Agriculture"), ("industry", "Ministry of Industry")]  # fmt: skip
POSTS = [("president", "President", None), ("prime-minister", "Prime Minister", None), ("trade-minister", "Trade Minister", "trade"), ("foreign-minister", "Foreign Minister", "foreign"), ("finance-minister", "Finance Minister", "finance"), ("agriculture-minister", "Agriculture Minister", "agriculture"), ("industry-minister", "Industry Minister", "industry"), ("chief-negotiator", "Chief Trade Negotiator", "trade"), ("central-bank-governor", "Central Bank Governor", None), ("customs-chief", "Head of Customs", "finance")]  # fmt: skip
CONTENTS = [
    "the measures were unjustified and would be met with a firm response",
    "the door to dialogue remained open",
    "the tariffs would hurt consumers on both sides",
    "the government was ready to negotiate in good faith",
    "the ban was necessary to protect domestic producers",
    "any retaliation would be proportionate",
    "talks had made substantial progress",
    "the dispute should be settled at the World Trade Organization",
    "exporters would receive emergency support",
    "the new duties violated earlier commitments",
    "a compromise was within reach",
    "the country would not yield to pressure",
]  # fmt: skip
REQUESTS = ["lift the duties", "resume negotiations", "delay the new tariffs", "share customs data", "exempt small exporters", "reopen the market"]  # fmt: skip
TAILS = ["officials said", "according to customs data", "a move that unsettled markets", "the latest escalation in the dispute", "in a statement released late in the day", "as negotiators prepared for another round", "deepening a months-long standoff", "drawing immediate criticism from exporters"]  # fmt: skip
FILLERS = [
    "Analysts said the outlook for exporters remained uncertain.",
    "Shares of shipping companies fell in early trading.",
    "Business groups urged both governments to return to the negotiating table.",
    "Economists warned that higher costs would eventually reach consumers.",
    "The currency weakened slightly after the news.",
    "Farm groups said they were preparing for a difficult season.",
    "Diplomats described the atmosphere of recent contacts as tense but constructive.",
    "Port operators reported a drop in container volumes over the past month.",
    "Industry associations called for clearer rules on exemptions.",
    "Several companies said they were reviewing their supply chains.",
]  # fmt: skip
ANONYMOUS = ["government sources", "officials familiar with the matter", "a senior diplomat", "people briefed on the talks", "an industry source"]  # fmt: skip
WIRE_NAMES = ["Meridian Press", "Continental Wire", "Global News Service", "Harbour Press Agency", "Eastern Newswire", "Atlas Press"]  # fmt: skip
PLAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}
"""Plain words YAML would read as something other than text."""
DAY0 = dt.date(2024, 1, 1)
DAYS = 730


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))


def _unique(rng: random.Random, taken: set[str], make) -> str:
    while True:
        word = make(rng)
        if word not in taken and len(word) >= 4:
            taken.add(word)
            return word


@dataclass
class Entity:
    """A registry entry as the generator keeps it (written out as YAML at the end)."""

    key: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    used: bool = True


@dataclass
class State:
    """A state with its people, posts and agencies, as the generator picks from them."""

    entity: Entity
    demonym: str
    capital: str
    people: list[Entity] = field(default_factory=list)
    posts: list[tuple[Entity, str]] = field(default_factory=list)  # (post, alias)
    ministries: dict[str, Entity] = field(default_factory=dict)


@dataclass
class Measure:
    """A trade measure with its true attributes."""

    entity: Entity
    imposer: State
    target: State
    product: Entity
    rate: int | None
    rate_kind: str | None
    status: str


@dataclass
class Dispute:
    """A bilateral dispute: the pool articles about it draw their facts from."""

    entity: Entity
    a: State
    b: State
    measures: list[Measure] = field(default_factory=list)
    events: list[tuple[str, Entity, dict]] = field(default_factory=list)
    agreements: list[Entity] = field(default_factory=list)
    figures: list[tuple[Entity, Entity, State, float]] = field(default_factory=list)


@dataclass
class Sentence:
    """A sentence of an article and the facts quoting it: (quote, offset in sentence, fields)."""

    text: str
    facts: list[tuple[str, int, dict]]


class Registry:
    """Builds the registry: states, people, posts, agencies, outlets, products, places."""

    def __init__(self, rng: random.Random, n_facts: int):
        self.rng = rng
        self.entities: dict[str, Entity] = {}
        self.names: set[str] = set()
        n_states = min(300, max(12, n_facts // 350))
        people_per_state = max(4, min(24, n_facts // (n_states * 20)))
        self.products = [
            self.add(Entity(k, "Product", label, fields={"hsCode": hs})) for k, label, hs in PRODUCTS
        ]
        self.sectors = [self.add(Entity(f"{s}-sector", "Sector", f"{s} sector")) for s in SECTORS]
        for i, product in enumerate(self.products):
            product.fields["inSector"] = self.sectors[i % len(self.sectors)].key
        self.states = [self._state(people_per_state) for _ in range(n_states)]
        self.places = [self.add(Entity(f"{s.capital.lower()}-city", "Place", s.capital, fields={"locatedIn": s.entity.key})) for s in self.states]  # fmt: skip
        n_outlets = max(8, n_facts // 1500)
        self.wires = [
            self.add(Entity(name.lower().replace(" ", "-"), "NewsOutlet", name)) for name in WIRE_NAMES
        ]
        self.outlets = list(self.wires)
        for _ in range(n_outlets - len(self.wires)):
            word = _unique(rng, self.names, lambda r: _word(r, 2)).capitalize()
            kind = rng.choice(["Times", "Herald", "Daily", "Post", "Observer", "Tribune", "Gazette"])
            self.outlets.append(self.add(Entity(f"{word.lower()}-{kind.lower()}", "NewsOutlet", f"The {word} {kind}", [f"{word} {kind}"])))  # fmt: skip

    def add(self, entity: Entity) -> Entity:
        assert entity.key not in self.entities, entity.key
        self.entities[entity.key] = entity
        return entity

    def _state(self, people: int) -> State:
        rng = self.rng
        base = _unique(rng, self.names, lambda r: _word(r, 2)).capitalize()
        label = base + rng.choice(STATE_SUFFIXES)
        capital = _unique(rng, self.names, lambda r: _word(r, 2)).capitalize()
        demonym = base + "ian"
        entity = self.add(Entity(label.lower(), "State", label, [capital, demonym]))
        state = State(entity, demonym, capital)
        for suffix, name in MINISTRIES:
            state.ministries[suffix] = self.add(
                Entity(
                    f"{entity.key}-ministry-of-{suffix}",
                    "Ministry",
                    f"{name} of {label}",
                    [f"{demonym} {name.split(' of ')[1].lower()} ministry"],
                    {"agencyOf": entity.key},
                )  # fmt: skip
            )
        for _ in range(people):
            first = _unique(rng, self.names, lambda r: _word(r, 2)).capitalize()
            last = _unique(rng, self.names, lambda r: _word(r, rng.choice((2, 3)))).capitalize()
            state.people.append(self.add(Entity(f"{first.lower()}-{last.lower()}", "Person", f"{first} {last}", [last], {"nationality": entity.key})))  # fmt: skip
        for key, title, ministry in POSTS:
            post_in = state.ministries[ministry].key if ministry else entity.key
            post = self.add(Entity(f"{key}-of-{entity.key}", "Post", f"{title} of {label}", [f"{demonym} {title}"], {"postIn": post_in}))  # fmt: skip
            state.posts.append((post, f"{demonym} {title}"))
        return state


def _weighted_index(rng: random.Random, n: int, skew: float = 1.1) -> int:
    """Index in [0, n) with a heavy head: a few subjects are reported again and again."""
    return min(n - 1, int(n * rng.random() ** (1 + skew)))


def _date_text(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class Generator:
    """Draws disputes, their measures and events, then articles reporting them."""

    def __init__(self, n_facts: int, seed: int):
        self.rng = random.Random(seed)
        self.n_facts = n_facts
        self.reg = Registry(self.rng, n_facts)
        n_disputes = max(4, n_facts // 500)
        self.disputes = [self._dispute(i) for i in range(n_disputes)]

    # ------------------------------------------------------------------ registry of the stories
    def _dispute(self, i: int) -> Dispute:
        rng, reg = self.rng, self.reg
        a, b = rng.sample(reg.states, 2)
        if i % 3 == 0:  # a few big economies are in many disputes
            a = reg.states[i % min(6, len(reg.states))]
            while b is a:
                b = rng.choice(reg.states)
        key = f"{a.entity.key}-{b.entity.key}-trade-dispute-{i}"
        d = Dispute(reg.add(Entity(key, "Dispute", f"{a.entity.label}-{b.entity.label} trade dispute ({i})")), a, b)  # fmt: skip
        for j in range(rng.randint(6, 14)):
            imposer, target = (a, b) if j % 2 == 0 else (b, a)
            product = rng.choice(reg.products)
            kind = rng.choice(["Tariff", "Tariff", "Tariff", "ImportBan", "ExportControl", "ImportQuota"])
            rate = rng.choice([10, 15, 20, 24, 25, 30, 34, 45, 50, 60, 84, 100, 125, 145]) if kind == "Tariff" else None  # fmt: skip
            mkey = f"{imposer.entity.key}-{kind.lower()}-on-{product.key}-from-{target.entity.key}-{i}-{j}"
            label = f"{imposer.entity.label} {kind} on {product.label} from {target.entity.label}"
            m = Measure(
                reg.add(Entity(mkey, kind, label)), imposer, target, product, rate,
                rng.choice(["maximum", "baseline", "additional"]) if rate else None,
                rng.choice(["in force", "in force", "announced", "threatened"]),
            )  # fmt: skip
            d.measures.append(m)
        people_a, people_b = a.people, b.people
        for j in range(rng.randint(20, 40)):
            kind = rng.choice(["Letter", "Statement", "Statement", "Meeting", "Visit", "Talks", "Warning", "Announcement", "Request"])  # fmt: skip
            pa, pb = rng.choice(people_a), rng.choice(people_b)
            if rng.random() < 0.5:
                pa, pb = pb, pa
            place = rng.choice(reg.places)
            info = {
                "a": pa, "b": pb, "place": place,
                "day": DAY0 + dt.timedelta(days=rng.randrange(DAYS)),
                "content": rng.choice(CONTENTS),
                "request": rng.choice(REQUESTS),
                "measure": rng.choice(d.measures),
                "stance": rng.choice([None, None, None, "conflict", "cooperation"]),
            }  # fmt: skip
            ekey = f"{pa.key}-{kind.lower()}-{pb.key}-{i}-{j}"
            label = f"{kind} of {pa.label} ({j}, {d.entity.label})"
            entity = reg.add(Entity(ekey, kind, label, used=False))
            d.events.append((kind, entity, info))
        for j in range(rng.randint(1, 3)):
            kind = rng.choice(["TradeAgreement", "TradeAgreement", "Alliance"])
            name = f"{a.entity.label}-{b.entity.label} {'Trade Agreement' if kind == 'TradeAgreement' else 'Security Alliance'}"  # fmt: skip
            d.agreements.append(reg.add(Entity(f"{a.entity.key}-{b.entity.key}-{kind.lower()}-{i}-{j}", kind, f"{name} ({i}.{j})")))  # fmt: skip
        for j in range(rng.randint(1, 3)):
            state = rng.choice([a, b])
            product = rng.choice(reg.products)
            fkey = f"{state.entity.key}-{product.key}-export-share-{i}-{j}"
            figure = reg.add(Entity(fkey, "EconomicFigure", f"{product.label} share of {state.entity.label} exports ({i}.{j})"))  # fmt: skip
            d.figures.append((figure, product, state, round(rng.uniform(1, 40), 1)))
        return d

    # ------------------------------------------------------------------ sentences of one article
    def _state_name(self, s: State) -> str:
        return s.entity.label if self.rng.random() < 0.75 else s.capital

    def _sentences(self, d: Dispute, day: dt.date, curly: bool) -> list[Sentence]:
        rng, reg = self.rng, self.reg
        apos = "\u2019" if curly else "'"
        kind = rng.choices(
            ["tariff", "ban", "retaliation", "pause", "statement", "letter", "meeting", "visit",
             "talks", "agreement", "warning", "figure", "dispute", "holder"],
            weights=[16, 5, 5, 2, 14, 5, 8, 4, 6, 4, 5, 4, 3, 8],
        )[0]  # fmt: skip
        tail = rng.choice(TAILS)
        if kind in ("tariff", "ban", "retaliation", "pause"):
            m = d.measures[_weighted_index(rng, len(d.measures))]
            imp, tgt = self._state_name(m.imposer), self._state_name(m.target)
            fields = {"subject": m.entity.key, "type": m.entity.type, "imposedBy": m.imposer.entity.key, "target": m.target.entity.key}  # fmt: skip
            if kind == "ban" or m.rate is None:
                since = day - dt.timedelta(days=rng.randrange(30, 400))
                verb = {"ImportBan": "has banned imports of", "ExportControl": "has restricted exports of", "ImportQuota": "has capped imports of", "Tariff": "has imposed new duties on"}[m.entity.type]  # fmt: skip
                quote = (
                    f"{imp} {verb} {m.product.label} from {tgt} since {MONTHS[since.month - 1]} {since.year}"
                )
                if m.entity.type == "ExportControl":
                    quote = f"{imp} {verb} {m.product.label} to {tgt} since {MONTHS[since.month - 1]} {since.year}"
                fields.update(affectsProduct=m.product.key, effectiveFrom=f"{since.year}-{since.month:02d}")
                return [Sentence(f"{quote}, {tail}.", [(quote, 0, fields)])]
            rate = m.rate
            if rng.random() < 0.04:  # a report that disagrees with the others: a contradiction
                rate = m.rate + rng.choice([-5, 5, 10, 20])
            if kind == "pause":
                days = rng.choice([30, 60, 90])
                pkey = f"{m.entity.key}-pause"
                if pkey not in reg.entities:
                    reg.add(Entity(pkey, "TariffPause", f"Pause of {m.entity.label}"))
                quote = f"{imp} paused its {rate}% tariffs on {tgt} for {days} days"
                fields = {"subject": pkey, "type": "TariffPause", "imposedBy": m.imposer.entity.key, "suspends": m.entity.key, "duration": f"P{days}D"}  # fmt: skip
                return [Sentence(f"{quote}, {tail}.", [(quote, 0, fields)])]
            if kind == "retaliation":
                others = [o for o in d.measures if o.imposer is m.target and o.rate]
                if others:
                    o = others[0]
                    quote = f"{imp} retaliated against {tgt}{apos}s duties by raising its own tariffs on {m.product.label} to {rate}%"  # fmt: skip
                    fields.update(rate=rate, retaliatesAgainst=o.entity.key, status="in force")
                    return [Sentence(f"{quote}, {tail}.", [(quote, 0, fields)])]
            quote = f"{imp} has imposed tariffs of {'up to ' if m.rate_kind == 'maximum' else ''}{rate}% on {m.product.label} from {tgt}"  # fmt: skip
            fields.update(rate=rate, rateKind=m.rate_kind, status=m.status, affectsProduct=m.product.key)
            if m.status != "in force":
                quote = quote.replace("has imposed", "has threatened" if m.status == "threatened" else "has announced")  # fmt: skip
            if rng.random() < 0.3:
                fields["attribution"] = [rng.choice(reg.wires).key]
            return [Sentence(f"{quote}, {tail}.", [(quote, 0, fields)])]
        if kind in ("agreement", "talks"):
            ag = d.agreements[_weighted_index(rng, len(d.agreements))]
            a, b = self._state_name(d.a), self._state_name(d.b)
            name = ag.label.split(" (")[0]
            if kind == "agreement":
                status = rng.choice(["agreed", "under negotiation", "proposed"])
                verb = {"agreed": "signed", "under negotiation": "are negotiating", "proposed": "have proposed"}[status]  # fmt: skip
                quote = f"{a} and {b} {verb} the {name}"
                fields = {"subject": ag.key, "type": ag.type, "party": [d.a.entity.key, d.b.entity.key], "status": status}  # fmt: skip
                return [Sentence(f"{quote}, {tail}.", [(quote, 0, fields)])]
            events = [e for e in d.events if e[0] == "Talks"]
            if not events:
                return []
            _, ev, info = events[_weighted_index(rng, len(events))]
            ev.used = True
            quote = f"{a} and {b} held talks on the {name} in {info['place'].label}"
            fields = {"subject": ev.key, "type": "Talks", "participant": [d.a.entity.key, d.b.entity.key], "concerns": ag.key, "place": info["place"].key}  # fmt: skip
            return [Sentence(f"{quote}, {tail}.", [(quote, 0, fields)])]
        if kind == "figure":
            figure, product, state, value = d.figures[_weighted_index(rng, len(d.figures))]
            if rng.random() < 0.05:
                value = round(value + rng.choice([-2, 1.5, 3]), 1)
            quote = f"{product.label} accounted for {value} per cent of {state.entity.label}{apos}s exports"
            fields = {"subject": figure.key, "type": "EconomicFigure", "figureOf": product.key, "value": value, "unit": "percent", "metric": "share of total exports"}  # fmt: skip
            return [Sentence(f"{quote[0].upper()}{quote[1:]}, {tail}.", [(quote[0].upper() + quote[1:], 0, fields)])]  # fmt: skip
        if kind == "dispute":
            quote = f"the trade dispute between {self._state_name(d.a)} and {self._state_name(d.b)}"
            fields = {"subject": d.entity.key, "type": "Dispute", "party": [d.a.entity.key, d.b.entity.key]}  # fmt: skip
            text = f"Little has changed since the start of {quote}, {tail}."
            return [Sentence(text, [(quote, text.index(quote), fields)])]
        if kind == "holder":
            state = rng.choice([d.a, d.b])
            post, alias = state.posts[_weighted_index(rng, len(state.posts))]
            person = state.people[_weighted_index(rng, len(state.people))]
            quote = f"{alias} {person.label}"
            text = f"{quote} is expected to attend the next round of consultations."
            return [Sentence(text, [(quote, 0, {"subject": post.key, "type": "Post", "heldBy": person.key})])]
        # events
        pool = [e for e in d.events if e[0] in {"statement": ("Statement", "Announcement", "Request"), "letter": ("Letter",), "meeting": ("Meeting",), "visit": ("Visit",), "warning": ("Warning",)}[kind]]  # fmt: skip
        if not pool:
            return []
        ev_kind, ev, info = pool[_weighted_index(rng, len(pool))]
        ev.used = True
        pa, pb, place, when = info["a"], info["b"], info["place"], info["day"]
        last_a = pa.label.split()[-1]
        fields: dict = {"subject": ev.key, "type": ev_kind}
        if info["stance"]:
            fields["stance"] = info["stance"]
        attribution = None
        r = rng.random()
        if r < 0.35:
            attribution = [rng.choice(reg.wires).key]
            if r < 0.15:
                attribution.append({"anonymous": rng.choice(ANONYMOUS)})
        elif r < 0.45:
            attribution = [{"anonymous": rng.choice(ANONYMOUS)}]
        if ev_kind == "Letter":
            quote = f"a letter from {pa.label} to {pb.label}"
            fields.update(sender=pa.key, recipient=pb.key)
            text = f"{quote[0].upper()}{quote[1:]} urged restraint, {tail}."
            quote = quote[0].upper() + quote[1:]
        elif ev_kind == "Meeting":
            delta = (day - when).days
            quote = f"{pa.label} met {pb.label} in {place.label}"
            fields.update(participant=[pa.key, pb.key], place=place.key)
            if 0 <= delta < 7:
                wd = WEEKDAYS[when.weekday()]
                fields["date"] = {"value": when.isoformat(), "inferred_from": f"'on {wd}' in an article dated {day.isoformat()}"}  # fmt: skip
                quote += f" on {wd}"
            else:
                fields["date"] = when.isoformat()
                quote += f" on {_date_text(when)}"
            text = f"{quote}, {tail}."
        elif ev_kind == "Visit":
            quote = f"{pa.label} visited {place.label}"
            fields.update(participant=pa.key, place=place.key, date=f"{when.year}-{when.month:02d}")
            text = f"{quote} in {MONTHS[when.month - 1]} {when.year}, {tail}."
        elif ev_kind == "Warning":
            quote = (
                f"{last_a} warned {self._state_name(info['measure'].target)} against escalating the dispute"
            )
            fields.update(speaker=pa.key, target=info["measure"].target.entity.key, concerns=info["measure"].entity.key)  # fmt: skip
            text = f"{quote}, {tail}."
        else:  # Statement, Announcement, Request: a spokesperson's words, often via a post title
            state = next(s for s in (d.a, d.b) if pa in s.people)
            post, alias = state.posts[_weighted_index(rng, len(state.posts))]
            verb = {"Statement": "said", "Announcement": "announced that", "Request": f"asked {pb.label} to"}[ev_kind]  # fmt: skip
            content = info["request"] if ev_kind == "Request" else info["content"]
            holder = f"{alias} {pa.label}"
            quote = f"{pa.label} {verb} {content}"
            fields.update(speaker=pa.key, content=content, concerns=info["measure"].entity.key)
            if ev_kind == "Request":
                fields["recipient"] = pb.key
            text = f"{holder} {verb} {content}, {tail}."
            facts = [(quote, len(alias) + 1, fields)]
            if attribution:
                fields["attribution"] = attribution
            facts.append((holder, 0, {"subject": post.key, "type": "Post", "heldBy": pa.key}))
            return [Sentence(text, facts)]
        if attribution:
            fields["attribution"] = attribution
        return [Sentence(text, [(quote, text.index(quote), fields)])]

    # ------------------------------------------------------------------ articles
    def articles(self):
        """Yield (number, text, source record, facts) until the requested fact count is reached."""
        rng, reg = self.rng, self.reg
        made = 0
        number = 0
        while made < self.n_facts:
            d = self.disputes[_weighted_index(rng, len(self.disputes), 0.6)]
            day = DAY0 + dt.timedelta(days=rng.randrange(DAYS))
            outlet = rng.choice(reg.outlets) if rng.random() < 0.9 else None
            author = f"{rng.choice(rng.choice(reg.states).people).label}" if rng.random() < 0.7 else None
            curly = rng.random() < 0.3
            want = min(self.n_facts - made, rng.randint(10, 30))
            sentences: list[Sentence] = []
            count = 0
            seen: set[str] = set()
            tries = 0
            while count < want:
                # one in five sentences touches a neighbouring dispute: stories link up
                story = d if rng.random() < 0.8 else self.disputes[_weighted_index(rng, len(self.disputes), 0.6)]  # fmt: skip
                for s in self._sentences(story, day, curly):
                    tries += 1
                    said = "|".join(q for q, _, _ in s.facts)
                    if said in seen and tries < 50:  # an article says each thing once
                        continue
                    seen.add(said)
                    take = s.facts[: want - count]
                    sentences.append(Sentence(s.text, take))
                    count += len(take)
            title = f"{d.a.entity.label} and {d.b.entity.label}: trade tensions, {_date_text(day)}"
            byline = f"By {author or 'staff'} | {_date_text(day)} | {outlet.label if outlet else 'wire'}"
            parts = [title, "", byline, ""]
            placed: list[tuple[str, int, dict]] = []
            offset = sum(len(p) + 1 for p in parts)
            paragraph: list[str] = []
            for i, s in enumerate(sentences):
                if paragraph and rng.random() < 0.3:
                    filler = rng.choice(FILLERS)
                    paragraph.append(filler)
                    offset += len(filler) + 1
                for quote, at, fields in s.facts:
                    placed.append((quote, offset + at, fields))
                paragraph.append(s.text)
                offset += len(s.text) + 1
                if len(paragraph) >= 4 or i == len(sentences) - 1:
                    parts.append(" ".join(paragraph))
                    parts.append("")
                    offset += 1  # the blank line (the join's trailing space became a newline)
                    paragraph = []
            boiler = (
                f"Copyright {day.year} {outlet.label if outlet else 'the publisher'}. All rights reserved."
            )
            parts.append(boiler)
            text = "\n".join(parts) + "\n"
            excluded = [(byline, "byline and date"), (boiler, "publisher boilerplate")]
            yield number, day, outlet, author, title, text, excluded, placed
            made += count
            number += 1


def _anchor_occurrence(text: str, quote: str, start: int, ranges) -> int | None:
    """``None`` when the quote is unique at start, else the occurrence number that picks start."""
    found = anchor_quote(text, quote, None, None, ranges)
    if isinstance(found, Anchor):
        assert found.start == start, (quote, found.start, start)
        return None
    for n in range(1, 100):
        found = anchor_quote(text, quote, n, None, ranges)
        assert isinstance(found, Anchor), (quote, found)
        if found.start == start:
            return n
    raise AssertionError(f"cannot anchor {quote!r}")  # pragma: no cover


def _yaml_scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    text = str(value)
    if PLAIN_RE.match(text) and text.lower() not in YAML_WORDS:
        return text  # registry keys and concept names stay plain, like hand-written seeds
    return json.dumps(text, ensure_ascii=False)


def _entity_yaml(e: Entity) -> str:
    lines = [f"{e.key}:", f"  type: {e.type}", f"  label: {_yaml_scalar(e.label)}"]
    if e.aliases:
        lines.append(f"  aliases: {_yaml_scalar(e.aliases)}")
    for k, v in e.fields.items():
        lines.append(f"  {k}: {_yaml_scalar(v)}")
    return "\n".join(lines) + "\n"


def _clear(out: Path) -> None:
    for sub in ("articles", "facts"):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    for name in ("sources.yaml", "entities.yaml"):
        (out / name).unlink(missing_ok=True)


def generate(facts: int, out: Path | str, seed: int = 0) -> dict:
    """Write a synthetic corpus of about ``facts`` facts into ``out`` (articles, yaml files).

    Args:
        facts: number of facts to annotate (1,000 to 100,000 are the benchmark sizes).
        out: the seeds folder to write (its articles/, facts/ and yaml files are replaced).
        seed: random seed; the same facts and seed give byte-identical files.

    Returns:
        Counts: articles, facts, entities, states, people.

    Example:
        >>> generate(1000, "/tmp/synth-1k", seed=1)["facts"]
        1000
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    (out / "articles").mkdir()
    (out / "facts").mkdir()
    gen = Generator(facts, seed)
    width = max(3, len(str(max(1, facts // 10))))
    sources: list[str] = []
    total = 0
    notices = 0
    curly = 0
    for number, day, outlet, author, title, text, excluded, placed in gen.articles():
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        article_id = f"{number:0{width}d}_{digest[:16]}"
        (out / "articles" / f"{article_id}.txt").write_bytes(data)
        ranges = []
        for quote, _ in excluded:
            at = text.rindex(quote) if quote.startswith("Copyright") else text.index(quote)
            ranges.append((at, at + len(quote)))
        record = [
            f"{article_id}:",
            f"  title: {_yaml_scalar(title)}",
            f"  outlet: {outlet.key if outlet else 'null'}",
            f"  author: {_yaml_scalar(author)}",
            f"  date: {day.isoformat()}",
            f"  date_basis: {_yaml_scalar('stated: byline ' + repr(_date_text(day)))}",
            f"  sha256: {digest}",
            "  excluded:",
        ]
        for (_, reason), (start, end) in zip(excluded, ranges, strict=True):
            record += [f"    - start: {start}", f"      end: {end}", f"      reason: {reason}"]
        sources.append("\n".join(record) + "\n")
        lines = [f"article: {article_id}", "facts:"]
        for n, (quote, start, fields) in enumerate(placed, start=1):
            written = quote
            if "\u2019" in quote:
                curly += 1
                if curly % 20 == 1:  # a few quotes typed with straight quotes: normalised match
                    written = quote.replace("\u2019", "'")
                    notices += 1
            occurrence = _anchor_occurrence(text, written, start, tuple(ranges))
            fid = f"a{number:0{width}d}-{fields['subject'].split('-')[0]}-{n}"
            lines.append(f"  - id: {fid}")
            lines.append(f"    quote: {_yaml_scalar(written)}")
            if occurrence:
                lines.append(f"    occurrence: {occurrence}")
            for key, value in fields.items():
                if key != "attribution":
                    lines.append(f"    {key}: {_yaml_scalar(value)}")
            if "attribution" in fields:
                lines.append(f"    attribution: {_yaml_scalar(fields['attribution'])}")
        (out / "facts" / f"{article_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += len(placed)
    header = "# Synthetic corpus written by benchmarks/synth.py (facts={}, seed={}).\n\n"
    (out / "sources.yaml").write_text(header.format(facts, seed) + "\n".join(sources), encoding="utf-8")
    entities = [e for e in gen.reg.entities.values() if e.used]
    (out / "entities.yaml").write_text(
        header.format(facts, seed) + "".join(_entity_yaml(e) for e in entities), encoding="utf-8"
    )
    return {
        "articles": len(sources),
        "facts": total,
        "entities": len(entities),
        "states": len(gen.reg.states),
        "people": sum(len(s.people) for s in gen.reg.states),
        "normalised_quotes": notices,
    }


def built_corpus(facts: int, work: Path | str, seed: int = 1) -> Path:
    """``work/synth-FACTS`` with ``seeds/`` (this generator) and ``build/`` (``kg build``), made
    once, then reused: the corpus the benchmarks of viz, pages and push measure."""
    import subprocess
    import time

    folder = Path(work) / f"synth-{facts}"
    if not (folder / "build" / "store").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(facts, folder / "seeds", seed)
        start = time.perf_counter()
        build = ["build", "-q", "--seeds", str(folder / "seeds"), "--build-dir", str(folder / "build")]
        done = subprocess.run([sys.executable, "-m", "kg", *build], capture_output=True, text=True)
        if done.returncode:  # notices go to stderr: shown only when the build fails
            raise SystemExit(f"kg {' '.join(build)} failed:\n{done.stderr[-3000:]}")
        print(f"  built {facts} facts in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return folder


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python benchmarks/synth.py --facts N --out DIR --seed S``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=1000, help="number of facts (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="seeds folder to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    counts = generate(args.facts, args.out, args.seed)
    print(", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
