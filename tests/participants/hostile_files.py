"""Hostile XLSX files built in the test, small on disk: a sheet of a million rows, and a zip bomb
(a sheet whose XML unpacks to hundreds of megabytes from a few hundred kilobytes)."""
import io
import struct
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Lista" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
WORKSHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
SHEET_START = WORKSHEET + "<sheetData>"
SHEET_END = "</sheetData></worksheet>"
SMALL_PARTS = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
               "xl/_rels/workbook.xml.rels": WORKBOOK_RELS}


def _local_header(name, crc, compressed, size):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, compressed, size, len(name), 0) + name


def _central_header(name, crc, compressed, size, offset):
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, compressed, size, len(name),
                       0, 0, 0, 0, 0, offset) + name


def _repeated_sheet_xlsx(head, block, repeats, tail, declared_size=None):
    """An XLSX whose sheet XML is head + block * repeats + tail, deflated without compressing
    it all: after a full flush deflate starts afresh, so the compressed block is repeated.
    `declared_size` writes a smaller size than the real one into the archive, as a lying bomb
    would."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = (compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
              + (compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)) * repeats
              + compressor.compress(tail) + compressor.flush())
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * repeats + len(tail)

    parts = []
    for name, text in SMALL_PARTS.items():
        raw = text.encode()
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        parts.append((name.encode(), zlib.crc32(raw), packer.compress(raw) + packer.flush(), len(raw)))
    parts.append((b"xl/worksheets/sheet1.xml", crc, stream, declared_size or size))
    body, directory = b"", b""
    for name, part_crc, data, part_size in parts:
        directory += _central_header(name, part_crc, len(data), part_size, len(body))
        body += _local_header(name, part_crc, len(data), part_size) + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), len(body), 0)
    return body + directory + end


def _row(*texts):
    # Rows and cells without coordinates: spreadsheets count them in order (and they repeat).
    return "<row>" + "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in texts) + "</row>"


def xlsx_with_rows(rows):
    """A valid XLSX with a mentee header and `rows` people (a multiple of 10,000); a million
    rows unpack to 95 MB and take about 100 KB on disk."""
    head = (SHEET_START + _row("full_name", "municipality")).encode()
    block = (_row("Pessoa Nome", "Lisboa") * 10_000).encode()
    return _repeated_sheet_xlsx(head, block, rows // 10_000, SHEET_END.encode())


def zip_bomb_xlsx(unpacked_megabytes=400, declared_size=None):
    """A well-formed XLSX whose sheet XML is `unpacked_megabytes` of whitespace inside
    <sheetData>, about 1,000 times smaller compressed."""
    return _repeated_sheet_xlsx(SHEET_START.encode(), b" " * 2**20, unpacked_megabytes, SHEET_END.encode(),
                                declared_size)


def xlsx_with_numbered_rows(rows):
    """A valid XLSX of `rows` different people, with its dimensions stated and compressed as a
    real list is (about 16 times): within the archive's limits, so only the row limit refuses it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in SMALL_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((WORKSHEET + f'<dimension ref="A1:B{rows + 1}"/><sheetData>'
                         + _row("full_name", "municipality")).encode())
            for start in range(0, rows, 10_000):
                sheet.write("".join(_row(f"Pessoa {number}", f"Lisboa {number % 97}")
                                    for number in range(start, min(start + 10_000, rows))).encode())
            sheet.write(SHEET_END.encode())
    return buffer.getvalue()
