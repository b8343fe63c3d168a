"""The names of the demo's Makassar offices: the seeder creates the offices under them, the
partnership's demo and the tests find them by them."""

IMIGRASI_OFFICE = "Kantor Imigrasi Kelas I TPI Makassar"
POS_OFFICE = "PT Pos Indonesia Cabang Makassar"
AGENCY_OFFICE = "Biro Perjalanan Umrah Contoh (demo)"
