#!/usr/bin/env python3
"""Write a deterministic synthetic news-digest corpus for the benchmark and the corpus test.

Usage: python bench/gen_corpus.py OUT_DIR --articles N [--seed S] [--flavor digest|pelican|hugo]

Flavors (the same articles, laid out for each tool):
  digest   OUT_DIR/content/articles/YYYY/<slug>.md with YAML front matter: title, date,
           countries, topics, source, url, summary.
  pelican  OUT_DIR/content/articles/YYYY/<slug>.md with Pelican's "Key: value" metadata:
           Title, Date, Slug, Category (the first topic), Tags (topics, then countries),
           Summary, Source, Link.
  hugo     OUT_DIR/content/articles/<slug>.md with digest's front matter, except that the
           source address is under `link` (Hugo reserves `url`). The Hugo site declares
           the taxonomies `countries` and `topics`.

Article i is a function of (seed, i) alone, slug included (it ends in i written in
base 36, so slugs never collide): N articles are the first N of any larger corpus
with the same seed. Randomness comes only from `random.Random.random()` seeded with
a string, so the output does not change with the Python version.

Bodies are 400-1,200 words of Markdown in the shape of wire copy: paragraphs of 2-5
sentences, subheadings, bulleted and numbered lists, block quotes, inline links,
bold and italic, and many straight double quotes and apostrophes (which smart-quote
extensions work on). Countries are names digest resolves (some through its aliases,
e.g. "South Korea", "Turkey"); topics are slugs, written as such in the front matter.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

# --------------------------------------------------------------------------------------
# Vocabulary

COUNTRIES: tuple[str, ...] = (
    "Argentina", "Australia", "Austria", "Bangladesh", "Belgium", "Brazil", "Bulgaria",
    "Canada", "Chile", "China", "Colombia", "Côte d'Ivoire", "Croatia", "Czech Republic",
    "Denmark", "DR Congo", "Egypt", "Estonia", "Ethiopia", "Finland", "France", "Georgia",
    "Germany", "Ghana", "Greece", "Hungary", "India", "Indonesia", "Iran", "Iraq", "Ireland",
    "Israel", "Italy", "Japan", "Jordan", "Kazakhstan", "Kenya", "Lebanon", "Lithuania",
    "Malaysia", "Mexico", "Morocco", "Netherlands", "New Zealand", "Nigeria", "Norway",
    "Pakistan", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Romania", "Russia",
    "Saudi Arabia", "Senegal", "Serbia", "Singapore", "South Africa", "South Korea", "Spain",
    "Sweden", "Switzerland", "Taiwan", "Tanzania", "Thailand", "Tunisia", "Turkey", "Ukraine",
    "United Arab Emirates", "United Kingdom", "United States", "Vietnam",
)

# How a country reads in running text, where it differs from its front-matter name.
IN_PROSE: dict[str, str] = {
    "Czech Republic": "the Czech Republic", "Netherlands": "the Netherlands",
    "Philippines": "the Philippines", "United Arab Emirates": "the UAE",
    "United Kingdom": "the UK", "United States": "the US",
}

TOPICS: tuple[str, ...] = (
    "diplomacy", "defence", "elections", "energy", "climate", "trade", "sanctions", "economy",
    "inflation", "public-finance", "banking", "technology", "semiconductors",
    "artificial-intelligence", "cybersecurity", "space", "nuclear-power", "arms-control",
    "terrorism", "human-rights", "public-health", "food-security", "agriculture", "water",
    "shipping", "aviation", "infrastructure", "mining", "oil-and-gas", "renewables", "labour",
    "education", "corruption", "courts", "press-freedom", "disinformation", "migration",
    "refugees", "borders", "telecoms", "housing", "tourism",
)

# (name, web address) of the outlets articles are digested from.
OUTLETS: tuple[tuple[str, str], ...] = (
    ("The Evening Sentinel", "eveningsentinel.example"), ("Harborview Herald", "harborview.example"),
    ("Continental Review", "contreview.example"), ("The Ledger Weekly", "ledgerweekly.example"),
    ("Northbridge Post", "northbridgepost.example"), ("Atlas Wire", "atlaswire.example"),
    ("The Lantern", "thelantern.example"), ("Crossroads Daily", "crossroadsdaily.example"),
    ("The Register of Nations", "nationsregister.example"), ("Open Sea Journal", "openseajournal.example"),
    ("Kestrel News", "kestrelnews.example"), ("The Inland Chronicle", "inlandchronicle.example"),
    ("Policy Compass", "policycompass.example"), ("The Quarterly Brief", "quarterlybrief.example"),
    ("Riverside Times", "riversidetimes.example"), ("The Morning Cable", "morningcable.example"),
)
SECTIONS: tuple[str, ...] = ("world", "politics", "business", "analysis", "economy", "security", "science")

FIRST_NAMES: tuple[str, ...] = (
    "Amara", "Lars", "Sofía", "Kenji", "Leila", "Tomasz", "Chloé", "Ravi", "Ingrid", "Mehmet",
    "Ngozi", "Pedro", "Yuki", "Fatima", "Oskar", "Thandiwe", "Marek", "Ana", "Hamid", "Elena",
    "Kwame", "Mei", "Jonas", "Aisling", "Rafael", "Zeynep", "Dmitri", "Priya", "Sean", "Nadia",
)
SURNAMES: tuple[str, ...] = (
    "Okonkwo", "Bergström", "Castillo", "Watanabe", "Haddad", "Zieliński", "Lefèvre", "Menon",
    "Halvorsen", "Demir", "Adeyemi", "Araújo", "Sato", "El-Amin", "Lindgren", "Dlamini",
    "Horváth", "O'Connor", "D'Souza", "Kovač", "Mensah", "Chen", "Vogel", "Ní Bhriain",
    "Romero", "Aydın", "Sokolov", "Raman", "McAllister", "Farouk",
)
ROLES: tuple[str, ...] = (
    "{c_s} foreign minister", "{c_s} finance minister", "a spokesperson for {org}",
    "a senior fellow at the {think}", "an economist at {bank}", "the head of {c_s} {t} agency",
    "an opposition lawmaker in {c}", "a former ambassador to {c2}", "a researcher at the {think}",
    "{c_s} deputy prime minister", "a trade negotiator for {c}", "a union leader in {c}",
    "an adviser to {c_s} president", "a professor of politics at the University of {c}",
)
THINK_TANKS: tuple[str, ...] = (
    "Institute for Strategic Dialogue", "Centre for Regional Studies", "Global Policy Forum",
    "Council on Economic Security", "Lowland Institute", "Foundation for Open Markets",
)
BANKS: tuple[str, ...] = ("Harbour Capital", "Nordmark Bank", "Silverline Securities", "Equator Partners")
ORGS: tuple[str, ...] = (
    "the central bank", "the finance ministry", "the foreign ministry", "the energy regulator",
    "the electoral commission", "the national security council", "parliament's budget office",
    "the competition watchdog", "the UN Security Council", "the World Bank", "the IMF",
    "NATO", "the African Union", "the European Commission", "ASEAN", "the WTO", "the G20",
    "the Supreme Court", "the opposition's shadow cabinet", "the employers' federation",
)

# (past, present third person, base form) of what governments do in headlines.
ACTS: tuple[tuple[str, str, str], ...] = (
    ("announced", "announces", "announce"), ("rejected", "rejects", "reject"),
    ("approved", "approves", "approve"), ("shelved", "shelves", "shelve"),
    ("signed", "signs", "sign"), ("suspended", "suspends", "suspend"),
    ("unveiled", "unveils", "unveil"), ("watered down", "waters down", "water down"),
    ("backed", "backs", "back"), ("revived", "revives", "revive"),
    ("renegotiated", "renegotiates", "renegotiate"), ("defended", "defends", "defend"),
)
THINGS: tuple[str, ...] = (
    "a new {t} strategy", "a draft accord on {t}", "emergency {t} measures",
    "a five-year {t} plan", "an overhaul of {t} rules", "a pact on {t}",
    "a joint task force on {t}", "a {money} {t} fund", "tougher {t} standards",
    "a review of {t} spending", "a regional {t} initiative", "a stop-gap {t} deal",
)

HEADLINES: tuple[str, ...] = (
    "{c} {act3} {thing}",
    "{c} and {c2} {actb} {thing}",
    "{c_s} {t} gamble: what's at stake for {c2}",
    "'{short}': {c} digs in over {t}",
    "{Org} warns {c} over {t} risks",
    "Why {c_s} {t} plans worry {c2}",
    "{c} faces {num}-day deadline in {t} row with {c2}",
    "Inside {c_s} push on {t}",
    "{T} talks between {c} and {c2} stall again",
    "{c} election: where the parties stand on {t}",
    "{c} to spend {money} on {t} as pressure mounts",
    "How {c_s} new {t} rules could reshape ties with {c2}",
    "Analysis: {c} can't afford to ignore {t} much longer",
    "{c} and {c2} trade barbs over {t} at {org} meeting",
)
SUMMARIES: tuple[str, ...] = (
    "{c} {act} {thing}, a move with consequences for its ties with {c2}.",
    "{Org} is under pressure as {c} and {c2} clash over {t}.",
    "How {t} became the question that dominates {c_s} politics this year.",
    "{c_s} government {act} {thing} after {num} weeks of haggling.",
    "Markets in {c} moved sharply after officials {act} {thing}.",
    "{c} says it won't be rushed; {c2} says time is running out.",
    "What the {t} dispute between {c} and {c2} means, and what comes next.",
)
SHORT_QUOTES: tuple[str, ...] = (
    "We won't be rushed", "Not at any price", "A line in the sand", "This isn't over",
    "We've been here before", "No blank cheques",
)
QUOTES: tuple[str, ...] = (
    "We won't be rushed into a bad deal, and our partners know that",
    "This is a turning point for {t}, and everyone in the region knows it",
    "Nobody should mistake patience for weakness",
    "Frankly, the numbers don't add up",
    "We expect {c2} to honour the commitments it's already made",
    "There's no quick fix, but standing still isn't an option",
    "It's the biggest shift in {t} policy in a generation",
    "People are tired of promises; they want to see results",
    "We've done our part. Now it's up to them",
    "If this fails, it won't be for lack of trying",
    "The government's message is simple: {t} can't wait",
    "Let's be honest about what this costs and who pays for it",
    "I don't think anyone in {c} expected it to move this fast",
    "It's a good first step, but it's only a first step",
)
SENTENCES: tuple[str, ...] = (
    "Officials in {c} {act} {thing} on {weekday}, according to two people briefed on the talks.",
    "The decision follows months of negotiations between {c} and {c2}, which have been at odds over {t} since {year}.",
    "{Org} said the measures would cost about {money} over {num} years.",
    "Critics say the plan does little to fix the {t} problems that have dogged the region for years.",
    "\"{quote},\" {person} told reporters on {weekday}.",
    "\"{quote},\" said {pdesc}.",
    "{person} told *{outlet}* that \"{quote_lc}\".",
    "\"{quote},\" {person} said. \"{quote}.\"",
    "Trade between the two countries grew {pct} last year, to roughly {money}.",
    "The move was welcomed by {org}, which has pressed for tougher action on {t}.",
    "Analysts expect the issue to dominate the agenda when leaders meet in {month}.",
    "Polls suggest that {pct} of voters in {c} consider {t} a top priority.",
    "Diplomats say a compromise could emerge if {c2} drops its demand for a phased approach.",
    "Bond yields in {c} rose {bp} basis points within hours of the announcement.",
    "Opposition lawmakers have demanded an inquiry into how the deal was struck.",
    "It is the {ordinal} agreement of its kind {c} has signed this year.",
    "Satellite images reviewed by independent researchers show new construction near the border.",
    "{pdesc}, said details would be published by the end of {month}.",
    "Officials wouldn't say whether {c2} had been consulted beforehand.",
    "A similar effort collapsed in {year} after a row over funding and oversight.",
    "Industry groups warned that the timetable was unrealistic and would raise costs for consumers.",
    "A spokesperson for {org} said it was \"closely monitoring\" developments.",
    "{c2}, a neighbour and major trading partner, has so far avoided taking sides.",
    "{person} described the talks as \"difficult but constructive\" and said more rounds were planned.",
    "Budget documents show spending on {t} rising to {money} by {fyear}.",
    "Previous governments in {c} tried, and failed, to overhaul the country's {t} rules.",
    "Business leaders in {c2} have lobbied hard against the proposal.",
    "The package still needs the approval of {org}, which meets again in {month}.",
    "About {pct} of the money is earmarked for projects outside the capital.",
    "Rights groups said the new powers could be used to silence the government's critics.",
    "The government has set a deadline of {month} {fyear} for the first phase.",
    "Shares in several of {c_s} biggest companies fell by as much as {pct} on the news.",
    "In private, officials in {c2} concede that their options are limited.",
    "The scheme is modelled on one that {c2} introduced in {year}.",
    "Negotiators met for {num} hours on {weekday} without reaching a deal.",
    "Independent experts have questioned the reliability of the official figures.",
    "The issue has become a flashpoint ahead of the elections due in {fyear}.",
    "Both sides insist that talks will resume after the holiday.",
    "Unemployment in {c} stands at {pct}, the highest level since {year}.",
    "The ministry's own assessment, seen by *{outlet}*, puts the cost at {money}.",
    "{c_s} parliament is expected to vote on the bill in {month}, though the date may slip.",
    "Some {big} people took to the streets of the capital on {weekday} to protest.",
    "It's not the first time {t} has strained relations between {c} and {c2}.",
    "The {ordinal} round of talks is scheduled for {month} in a neutral venue.",
    "Neither side has said what would happen if the {month} deadline is missed.",
)
LIST_LABELS: tuple[str, ...] = (
    "What changes", "Who pays", "Timeline", "The numbers", "Who objects", "What's next",
    "The sticking point", "Why now",
)
SUBHEADS: tuple[str, ...] = (
    "Background", "What happens next", "Market reaction", "Regional implications",
    "The view from {c2}", "A contested record", "Key numbers", "Political fallout",
    "Who's at the table", "The {t} question", "Reaction in {c}", "What critics say",
    "A long road", "Why it matters",
)
MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS: tuple[str, ...] = ("second", "third", "fourth", "fifth", "sixth")
CURRENCIES: tuple[str, ...] = ("$", "$", "€", "£")

START = datetime(2022, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 3 * 365 * 24 * 60
MIN_WORDS, MAX_WORDS = 400, 1200
# The mix of blocks after the lede. Lists, block quotes and subheadings cost Markdown
# more per word than paragraphs do; these shares keep a body's conversion time per word
# near that of real news text.
HEADING_CHANCE = 0.2  # a subheading (and its paragraph), once 3 blocks have passed since the last
QUOTE_SHARE, LIST_SHARE, READ_MORE_SHARE = 0.06, 0.07, 0.02  # of the other blocks; the rest are paragraphs
SLUG_WORDS_MAX = 70  # characters of the title in a slug, before the article's number

# --------------------------------------------------------------------------------------
# Templates: "{slot}" in a text is filled by the Writer method of that name in SLOTS.

T = TypeVar("T")
Slot = Callable[["Writer"], str]
Template = tuple[tuple[str, "Slot | None"], ...]
_SLOT = re.compile(r"\{(\w+)\}")


def possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, accents dropped: "Côte d'Ivoire" -> "cote-d-ivoire"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, d = divmod(n, 36)
        out = digits[d] + out
        if n == 0:
            return out


class Writer:
    """One article's random stream and cast: its countries, topics, people and institutions."""

    def __init__(self, seed: int, i: int) -> None:
        self.rnd = random.Random(f"digest-bench:{seed}:{i}").random
        self.countries = self.distinct(COUNTRIES, self.pick((1, 1, 2, 2, 2, 3, 3, 4)))
        self.topics = self.distinct(TOPICS, self.pick((1, 2, 2, 2, 3, 3, 4)))
        others = [c for c in COUNTRIES if c not in self.countries]
        second = self.countries[1] if len(self.countries) > 1 else self.pick(others)
        self.main, self.other = IN_PROSE.get(self.countries[0], self.countries[0]), IN_PROSE.get(second, second)
        self.outlet, self.domain = self.pick(OUTLETS)
        self.orgs = self.distinct(ORGS, 3)
        self.deck: list[Template] = []
        self.people: list[tuple[str, str]] = []  # (name, "name, role") per person, roles filled once
        for _ in range(3):
            name = f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}"
            self.people.append((name, f"{name}, {self.fill(self.pick(ROLE_T))}"))

    # -- drawing ------------------------------------------------------------------------

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rnd() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.rnd() * (high - low + 1))

    def distinct(self, items: Sequence[T], k: int) -> list[T]:
        pool, chosen = list(items), []
        for _ in range(k):
            chosen.append(pool.pop(int(self.rnd() * len(pool))))
        return chosen

    def fill(self, template: Template) -> str:
        return "".join([literal if slot is None else literal + slot(self) for literal, slot in template])

    # -- slots --------------------------------------------------------------------------

    def c(self) -> str:
        return self.main

    def c2(self) -> str:
        return self.other

    def c_s(self) -> str:
        return possessive(self.main)

    def topic(self) -> str:
        return self.pick(self.topics).replace("-", " ")

    def topic_cap(self) -> str:
        return capitalised(self.topic())

    def org(self) -> str:
        return self.pick(self.orgs)

    def org_cap(self) -> str:
        return capitalised(self.org())

    def person(self) -> str:
        return self.pick(self.people)[0]

    def pdesc(self) -> str:
        return self.pick(self.people)[1]

    def other_outlet(self) -> str:
        return self.pick(OUTLETS)[0]

    def think(self) -> str:
        return self.pick(THINK_TANKS)

    def bank(self) -> str:
        return self.pick(BANKS)

    def act(self) -> str:
        return self.pick(ACTS)[0]

    def act3(self) -> str:
        return self.pick(ACTS)[1]

    def actb(self) -> str:
        return self.pick(ACTS)[2]

    def thing(self) -> str:
        return self.fill(self.pick(THING_T))

    def quote(self) -> str:
        return self.fill(self.pick(QUOTE_T))

    def quote_lc(self) -> str:
        text = self.quote()
        return text if text.startswith(("I ", "I'")) else text[0].lower() + text[1:]

    def short(self) -> str:
        return self.pick(SHORT_QUOTES)

    def num(self) -> str:
        return str(self.between(2, 30))

    def big(self) -> str:
        return f"{self.between(2, 90) * 1000:,}"

    def pct(self) -> str:
        whole = self.between(2, 68)
        return f"{whole}.{self.between(1, 9)}%" if self.rnd() < 0.4 else f"{whole}%"

    def bp(self) -> str:
        return str(self.between(4, 75))

    def money(self) -> str:
        amount = self.between(2, 950)
        unit = "bn" if self.rnd() < 0.5 else "m"
        shown = f"{amount / 10:.1f}" if unit == "bn" and amount < 100 else str(amount)
        return f"{self.pick(CURRENCIES)}{shown}{unit}"

    def month(self) -> str:
        return self.pick(MONTHS)

    def weekday(self) -> str:
        return self.pick(WEEKDAYS)

    def year(self) -> str:
        return str(self.between(2008, 2021))

    def fyear(self) -> str:
        return str(self.between(2026, 2032))

    def ordinal(self) -> str:
        return self.pick(ORDINALS)

    # -- prose --------------------------------------------------------------------------

    def href(self) -> str:
        return f"https://{self.pick(OUTLETS)[1]}/{self.pick(SECTIONS)}/{self.between(2015, 2024)}/{self.between(10**5, 10**7)}"

    def sentence(self) -> str:
        if not self.deck:  # deal every sentence once before any repeats
            self.deck = list(SENTENCE_T)
        text = capitalised(self.fill(self.deck.pop(int(self.rnd() * len(self.deck)))))
        roll = self.rnd()
        if roll < 0.08 and "*" not in text:  # a link on three or four words
            words = text.split(" ")
            span = self.between(2, 4)
            at = int(self.rnd() * max(1, len(words) - span))
            linked = " ".join(words[at:at + span])
            words[at:at + span] = [f"[{linked}]({self.href()})"]
            text = " ".join(words)
        elif roll < 0.11 and not text.startswith('"'):  # the opening words in bold
            words = text.split(" ")
            span = self.between(2, 4)
            text = " ".join([f"**{' '.join(words[:span])}**", *words[span:]])
        return text

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.between(2, 5)))

    def bullets(self) -> str:
        if self.rnd() < 0.3:
            return "\n".join(f"{n}. {self.sentence()}" for n in range(1, self.between(3, 5) + 1))
        if self.rnd() < 0.5:
            labels = self.distinct(LIST_LABELS, self.between(3, 4))
            return "\n".join(f"- **{label}:** {self.sentence()}" for label in labels)
        return "\n".join(f"- {self.sentence()}" for _ in range(self.between(3, 6)))

    def block_quote(self) -> str:
        name, described = self.pick(self.people)
        lines = [f'> "{self.quote()}. {self.quote()}."', ">", f"> — {described}"]
        if self.rnd() < 0.5:
            lines[-1] = f'> "{self.quote()}," {name} said.'
        return "\n".join(lines)

    def read_more(self) -> str:
        return f"*Read more: [{capitalised(self.fill(self.pick(HEADLINE_T)))}]({self.href()})*"

    def body(self) -> str:
        target = self.between(MIN_WORDS, MAX_WORDS)
        blocks = [self.paragraph()]  # the lede: always a plain paragraph
        words, since_heading = len(blocks[0].split()), 1
        while words < target:
            if since_heading >= 3 and self.rnd() < HEADING_CHANCE:
                block, since_heading = f"## {capitalised(self.fill(self.pick(SUBHEAD_T)))}\n\n{self.paragraph()}", 0
            else:
                roll = self.rnd()
                if roll < QUOTE_SHARE:
                    block = self.block_quote()
                elif roll < QUOTE_SHARE + LIST_SHARE:
                    block = self.bullets()
                elif roll < QUOTE_SHARE + LIST_SHARE + READ_MORE_SHARE:
                    block = self.read_more()
                else:
                    block = self.paragraph()
            count = len(block.split())
            if words + count > MAX_WORDS:  # blocks are short: words >= MIN_WORDS here
                break
            blocks.append(block)
            words += count
            since_heading += 1
        return "\n\n".join(blocks) + "\n"


SLOTS: dict[str, Slot] = {
    "c": Writer.c, "c2": Writer.c2, "c_s": Writer.c_s, "t": Writer.topic, "T": Writer.topic_cap,
    "org": Writer.org, "Org": Writer.org_cap, "person": Writer.person, "pdesc": Writer.pdesc,
    "outlet": Writer.other_outlet, "think": Writer.think, "bank": Writer.bank, "act": Writer.act,
    "act3": Writer.act3, "actb": Writer.actb, "thing": Writer.thing, "quote": Writer.quote,
    "quote_lc": Writer.quote_lc, "short": Writer.short, "num": Writer.num, "big": Writer.big,
    "pct": Writer.pct, "bp": Writer.bp, "money": Writer.money, "month": Writer.month,
    "weekday": Writer.weekday, "year": Writer.year, "fyear": Writer.fyear, "ordinal": Writer.ordinal,
}


def compiled(text: str) -> Template:
    """Split "{slot}" templates once, so filling one is a join, not a parse."""
    parts = _SLOT.split(text)
    pieces: list[tuple[str, Slot | None]] = []
    for k in range(0, len(parts), 2):
        slot = SLOTS[parts[k + 1]] if k + 1 < len(parts) else None
        pieces.append((parts[k], slot))
    return tuple(pieces)


def _all(texts: Sequence[str]) -> tuple[Template, ...]:
    return tuple(compiled(text) for text in texts)


ROLE_T, THING_T, HEADLINE_T, SUMMARY_T = _all(ROLES), _all(THINGS), _all(HEADLINES), _all(SUMMARIES)
QUOTE_T, SENTENCE_T, SUBHEAD_T = _all(QUOTES), _all(SENTENCES), _all(SUBHEADS)

# --------------------------------------------------------------------------------------
# Articles and files


@dataclass(frozen=True, slots=True)
class Article:
    slug: str
    title: str
    date: datetime
    countries: list[str]
    topics: list[str]
    source: str
    url: str
    summary: str
    body: str


def make_article(seed: int, i: int) -> Article:
    """Article number i of the corpus with this seed; nothing else goes into it."""
    w = Writer(seed, i)
    date = START + timedelta(minutes=int(w.rnd() * SPAN_MINUTES))
    title = capitalised(w.fill(w.pick(HEADLINE_T)))
    stem = slugify(title)
    if len(stem) > SLUG_WORDS_MAX:  # cut at a word boundary
        stem = stem[:SLUG_WORDS_MAX + 1].rsplit("-", 1)[0]
    slug = f"{stem}-{base36(i)}"
    url = f"https://{w.domain}/{w.pick(SECTIONS)}/{date:%Y/%m/%d}/{slug}"
    summary = capitalised(w.fill(w.pick(SUMMARY_T)))
    return Article(slug, title, date, w.countries, w.topics, w.outlet, url, summary, w.body())


def yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def front_matter(a: Article, url_key: str) -> str:
    lines = ["---", f"title: {yaml_text(a.title)}", f"date: {a.date:%Y-%m-%dT%H:%M:%SZ}", "countries:"]
    lines += [f"  - {yaml_text(c)}" for c in a.countries]
    lines.append("topics:")
    lines += [f"  - {yaml_text(t)}" for t in a.topics]
    lines += [f"source: {yaml_text(a.source)}", f"{url_key}: {yaml_text(a.url)}", f"summary: {yaml_text(a.summary)}", "---", "", ""]
    return "\n".join(lines)


def pelican_metadata(a: Article) -> str:
    return "\n".join([
        f"Title: {a.title}", f"Date: {a.date:%Y-%m-%d %H:%M}", f"Slug: {a.slug}", f"Category: {a.topics[0]}",
        f"Tags: {', '.join(a.topics + a.countries)}", f"Summary: {a.summary}", f"Source: {a.source}",
        f"Link: {a.url}", "", "",
    ])


def article_file(a: Article, flavor: str) -> tuple[str, str]:
    """(path under content/articles, file text) of an article in one flavor."""
    if flavor == "pelican":
        return f"{a.date:%Y}/{a.slug}.md", pelican_metadata(a) + a.body
    if flavor == "hugo":
        return f"{a.slug}.md", front_matter(a, "link") + a.body
    return f"{a.date:%Y}/{a.slug}.md", front_matter(a, "url") + a.body


FLAVORS = ("digest", "pelican", "hugo")


def write_corpus(out_dir: Path, articles: int, seed: int = 1, flavor: str = "digest") -> Path:
    """Write articles 0 .. articles-1 under out_dir/content/articles; return that folder."""
    base = out_dir / "content" / "articles"
    made: set[Path] = set()
    for i in range(articles):
        rel, text = article_file(make_article(seed, i), flavor)
        path = base / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8", newline="\n")
    return base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen_corpus.py", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("out_dir", type=Path, help="the site folder; articles go under OUT_DIR/content/articles")
    parser.add_argument("--articles", type=int, required=True, help="how many articles")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument("--flavor", choices=FLAVORS, default="digest", help="file layout and metadata (default digest)")
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be 0 or more")
    base = write_corpus(args.out_dir, args.articles, args.seed, args.flavor)
    print(f"wrote {args.articles} {args.flavor} articles under {base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
