"""The partnership's demo rows: the agreement of 6 December 2017, one evaluation meeting and the
study's uptake figures for 2018 and 2019 (DOMAIN.md, tables 5.1 and 5.2). Idempotent."""

from __future__ import annotations

import datetime as dt

from demo.names import IMIGRASI_OFFICE
from organisations.models import Office, Organisation
from partners import services
from partners.choices import ActionItemStatus, Indicator, MeetingStatus, ObligationStatus, Party
from partners.models import (
    ActionItem,
    Agreement,
    AgreementArticle,
    EvaluationMeeting,
    IndicatorScore,
    Obligation,
)

AGREEMENT_TITLE = "Pelayanan Pengiriman Paspor melalui PT. Pos Indonesia"

# (issued, delivered); None where the study prints "–".
STUDY_FIGURES: dict[int, list[tuple[int, int | None]]] = {
    2018: [
        (8122, None),
        (6470, None),
        (7098, 131),
        (5550, 87),
        (3939, 43),
        (1947, 62),
        (4457, 49),
        (2512, 32),
        (4717, 76),
        (5659, 69),
        (6111, 154),
        (5936, 72),
    ],
    2019: [
        (8947, 143),
        (7653, 175),
        (7197, 164),
        (6301, 105),
        (3579, 97),
        (2386, 77),
        (4920, 127),
        (3926, 82),
        (4511, 116),
        (5908, 142),
        (5010, 158),
        (5292, 130),
    ],
}

ARTICLES = [
    ("2.1", "Maksud dan tujuan", "Kemudahan, kecepatan dan keamanan pengiriman paspor."),
    (
        "7",
        "Pengalihan hak dan kewajiban",
        "Para pihak tidak dapat mengalihkan hak dan kewajibannya kepada pihak lain tanpa persetujuan "
        "tertulis dari pihak lainnya.",
    ),
    (
        "12",
        "Evaluasi",
        "Para pihak melakukan analisis dan evaluasi layanan bersama paling sedikit dua kali dalam setahun.",
    ),
    (
        "14",
        "Penyelesaian perselisihan",
        "(2) Perselisihan, termasuk mengenai penafsiran, diselesaikan secara musyawarah.",
    ),
]

OBLIGATIONS = [
    (
        Party.IMIGRASI,
        "12",
        "Menerbitkan kode billing dan menyerahkan paspor jadi beserta surat kuasa "
        "dan surat tugas kepada PT Pos paling lambat 3 hari setelah berkas diterima.",
        ObligationStatus.MET,
    ),
    (
        Party.POS,
        "12",
        "Menyiagakan mobil layanan di kantor imigrasi setiap hari kerja.",
        ObligationStatus.NOT_MET,
    ),
    (
        Party.POS,
        "2.1",
        "Mengantar paspor kepada pemohon paling lambat 1 hari setelah diterima bagian pengantaran.",
        ObligationStatus.IN_PROGRESS,
    ),
    (Party.IMIGRASI, "2.1", "Mempromosikan layanan antar paspor bersama PT Pos.", ObligationStatus.OPEN),
]


def partnership_demo_load(*, today: dt.date | None = None) -> Agreement:
    today = today or dt.date.today()
    agreement = Agreement.objects.filter(signed_on=dt.date(2017, 12, 6), title=AGREEMENT_TITLE).first()
    if agreement is None:
        agreement = services.agreement_create(
            title=AGREEMENT_TITLE,
            number_pos="518-MS/REGIONAL-10/2017",
            number_imigrasi="W.23.IMI.FB.H.H.05.05-2177",
            signed_on=dt.date(2017, 12, 6),
            valid_from=dt.date(2017, 12, 6),
            valid_until=None,
            summary="Prosedur layanan, hak dan kewajiban para pihak, serta promosi bersama.",
            parties=list(Organisation.objects.filter(kind__in=Party.values)),
        )
    for number, title, text in ARTICLES:
        if not AgreementArticle.objects.filter(agreement=agreement, number=number).exists():
            services.agreement_article_add(agreement=agreement, number=number, title=title, text=text)
    if not agreement.obligations.exists():
        for party, article_no, text, status in OBLIGATIONS:
            Obligation.objects.create(
                agreement=agreement,
                party=party,
                text=text,
                status=status,
                article=agreement.articles.filter(number=article_no).first(),
            )
    meeting = EvaluationMeeting.objects.filter(agreement=agreement, held_on=dt.date(2019, 7, 15)).first()
    if meeting is None:
        meeting = EvaluationMeeting.objects.create(
            agreement=agreement,
            held_on=dt.date(2019, 7, 15),
            status=MeetingStatus.HELD,
            place="Kantor Imigrasi Kelas I TPI Makassar",
            participants_imigrasi="Kepala Seksi Lantaskim; petugas loket paspor",
            participants_pos="Manajer layanan PT Pos Cabang Makassar; koordinator pengantaran",
            agenda="1. Serapan layanan semester I 2019\n2. Kesiagaan mobil layanan\n3. Promosi bersama",
            minutes="Serapan naik dibanding 2018 tetapi masih di bawah 3%. Mobil layanan sering terlambat "
            "siaga; pemohon harus berjalan ke parkiran untuk membayar.",
            decisions="Meja layanan antar paspor di samping loket paspor; spanduk promosi di ruang tunggu.",
        )
        ActionItem.objects.create(
            meeting=meeting,
            description="Menyiapkan meja layanan di samping loket paspor",
            owner="Kepala Seksi Lantaskim",
            owner_party=Party.IMIGRASI,
            due_on=dt.date(2019, 9, 30),
            status=ActionItemStatus.DONE,
        )
        ActionItem.objects.create(
            meeting=meeting,
            description="Jadwal siaga mobil layanan setiap hari kerja 07.30",
            owner="Manajer layanan PT Pos",
            owner_party=Party.POS,
            due_on=dt.date(2019, 8, 31),
        )
        for indicator, score in zip(Indicator.values, [3, 2, 2, 4, 3, 2, 3], strict=True):
            IndicatorScore.objects.create(meeting=meeting, indicator=indicator, score=score)
    services.uptake_study_figures_load(figures=STUDY_FIGURES, office=_study_office())
    return agreement


def _study_office() -> Office | None:
    """The office the study's figures are of: Kantor Imigrasi Kelas I TPI Makassar."""
    return Office.objects.filter(name=IMIGRASI_OFFICE).first()
