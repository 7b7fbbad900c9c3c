"""IRIs of the project: the closed ontology namespace, the data namespaces and prefixes."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace

BASE = "https://w3id.org/trade-dispute/"
"""Every IRI the build mints lives under this base."""


class TDO(DefinedNamespace):
    """The Trade Dispute Ontology (ontology/tdo.ttl), closed: an unknown term is an error."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Actor: URIRef
    Agency: URIRef
    Agreement: URIRef
    Alliance: URIRef
    Announcement: URIRef
    AnonymousSource: URIRef
    Article: URIRef
    AttributionStep: URIRef
    Claim: URIRef
    Dispute: URIRef
    Disagreement: URIRef
    EconomicFigure: URIRef
    Embassy: URIRef
    Event: URIRef
    Exemption: URIRef
    ExportControl: URIRef
    Fact: URIRef
    ImportBan: URIRef
    ImportQuota: URIRef
    KnowledgeLayer: URIRef
    Letter: URIRef
    Meeting: URIRef
    Ministry: URIRef
    NewsOutlet: URIRef
    Organization: URIRef
    Person: URIRef
    Place: URIRef
    Platform: URIRef
    Post: URIRef
    Product: URIRef
    Release: URIRef
    Report: URIRef
    Request: URIRef
    Response: URIRef
    Sector: URIRef
    State: URIRef
    Statement: URIRef
    Talks: URIRef
    Tariff: URIRef
    TariffPause: URIRef
    TradeAgreement: URIRef
    TradeMeasure: URIRef
    Visit: URIRef
    Warning: URIRef
    # properties
    about: URIRef
    aboutDate: URIRef
    affectsProduct: URIRef
    affiliatedWith: URIRef
    agencyOf: URIRef
    annotation: URIRef
    accordingTo: URIRef
    announcedOn: URIRef
    articleCount: URIRef
    attribution: URIRef
    beneficiary: URIRef
    claim: URIRef
    concerns: URIRef
    content: URIRef
    contradicts: URIRef
    date: URIRef
    dateBasis: URIRef
    dateInference: URIRef
    deliveredBy: URIRef
    disagreementKind: URIRef
    duration: URIRef
    earliestDate: URIRef
    effectiveFrom: URIRef
    excludedRange: URIRef
    excludes: URIRef
    factCount: URIRef
    figureOf: URIRef
    heldBy: URIRef
    hsCode: URIRef
    imposedBy: URIRef
    inSector: URIRef
    independentOrigin: URIRef
    interactionSign: URIRef
    latestDate: URIRef
    layerVersion: URIRef
    locatedIn: URIRef
    metric: URIRef
    modality: URIRef
    nationality: URIRef
    normalisedMatch: URIRef
    note: URIRef
    opposes: URIRef
    originCount: URIRef
    outletStatus: URIRef
    partOf: URIRef
    participant: URIRef
    party: URIRef
    place: URIRef
    possibleCopyOf: URIRef
    possiblyOneOrigin: URIRef
    postIn: URIRef
    publishedBy: URIRef
    publishedOn: URIRef
    publishesOn: URIRef
    quote: URIRef
    rate: URIRef
    rateKind: URIRef
    reason: URIRef
    recipient: URIRef
    responseTo: URIRef
    retaliatesAgainst: URIRef
    scope: URIRef
    sender: URIRef
    sha256: URIRef
    signValue: URIRef
    source: URIRef
    sourceFile: URIRef
    sourceLine: URIRef
    speaker: URIRef
    stance: URIRef
    statedAsFact: URIRef
    statedDate: URIRef
    status: URIRef
    stepIndex: URIRef
    supports: URIRef
    suspends: URIRef
    target: URIRef
    unit: URIRef
    value: URIRef
    wikidata: URIRef
    withRateKind: URIRef
    withScope: URIRef
    # concept schemes and concepts
    Active: URIRef
    Additional: URIRef
    Agreed: URIRef
    AgreementStatusScheme: URIRef
    Announced: URIRef
    Asserted: URIRef
    Baseline: URIRef
    Claimed: URIRef
    Conflict: URIRef
    Considered: URIRef
    Contradiction: URIRef
    Cooperation: URIRef
    Denied: URIRef
    DifferentRateKinds: URIRef
    DifferentScopes: URIRef
    DifferentTimes: URIRef
    DisagreementKindScheme: URIRef
    EventTypeScheme: URIRef
    Expected: URIRef
    InForce: URIRef
    InteractionSignScheme: URIRef
    Maximum: URIRef
    MeasureStatusScheme: URIRef
    ModalityScheme: URIRef
    Modified: URIRef
    Neutral: URIRef
    Paused: URIRef
    Planned: URIRef
    Proposed: URIRef
    RateKindScheme: URIRef
    Reported: URIRef
    Revoked: URIRef
    Threatened: URIRef
    UnderNegotiation: URIRef


RDF_NS, RDFS_NS, OWL_NS, XSD_NS, SKOS_NS = (str(n) for n in (RDF, RDFS, OWL, XSD, SKOS))
"""rdflib's namespaces as plain strings, for the N-Quads text the build writes."""

ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
FACT = Namespace(BASE + "fact/")
ARTICLE = Namespace(BASE + "article/")
GRAPH = Namespace(BASE + "graph/")
REGISTRY_GRAPH = GRAPH["registry"]
PROVENANCE_GRAPH = GRAPH["provenance"]
ONTOLOGY_GRAPH = ONTOLOGY_IRI
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")

PREFIXES: dict[str, str] = {
    "tdo": str(TDO._NS),
    "id": str(ID),
    "fact": str(FACT),
    "article": str(ARTICLE),
    "graph": str(GRAPH),
    "claim": BASE + "claim/",
    "disagreement": BASE + "disagreement/",
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "owl": OWL_NS,
    "xsd": XSD_NS,
    "skos": SKOS_NS,
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "wd": str(WIKIDATA),
}
"""Prefixes bound everywhere (graphs, TriG, query results), so no ``ns1:`` ever appears."""


def sparql_prologue() -> str:
    """PREFIX declarations for every project prefix, to put in front of a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def bind_prefixes(graph):
    """Bind the project's prefixes on an rdflib graph or dataset and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph
