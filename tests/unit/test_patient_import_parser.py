"""The practice-list CSV parser: what it reads, what it rejects and why, with no database."""

from datetime import date

import pytest

from kiosk.services.patient_import import MAX_BYTES, FileProblem, decode, example_csv, parse, template_csv

HEADER = "nhs_number,given_name,family_name,date_of_birth,sex"
GRACE = "943 476 5919,Grace,Shaw,14/03/1985,female"


def rows_of(text: str):
    _columns, rows, rejected = parse(text)
    return rows, rejected


def reasons(text: str) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in rows_of(text)[1]]


def test_a_plain_file_reads_each_patient_cleaned():
    rows, rejected = rows_of(f"{HEADER}\n{GRACE}\n")
    assert rejected == []
    assert rows[0].values == {
        "nhs_number": "9434765919",
        "given_name": "Grace",
        "family_name": "Shaw",
        "date_of_birth": date(1985, 3, 14),
        "sex": "female",
    }


def test_a_byte_order_mark_is_not_part_of_the_first_column():
    text = decode(f"\ufeff{HEADER}\r\n{GRACE}\r\n".encode())
    assert rows_of(text)[0][0].values["nhs_number"] == "9434765919"


def test_crlf_line_ends_work_and_lines_are_counted():
    text = f"{HEADER}\r\n{GRACE}\r\n9434765918,Tom,Nowak,02/11/1962,male\r\n"
    assert reasons(text) == [(3, "NHS number 9434765918 is not valid (its check digit is wrong)")]


def test_quoted_commas_and_quotes_are_kept_in_the_cell():
    text = f'{HEADER},address\n{GRACE},"Flat 2, ""The Mill"", Leeds"\n'
    assert rows_of(text)[0][0].values["address"] == 'Flat 2, "The Mill", Leeds'


def test_a_quoted_line_break_keeps_the_following_line_numbers_right():
    text = f'{HEADER},address\n{GRACE},"1 High St\nLeeds"\n9434765918,Tom,Nowak,02/11/1962,male,\n'
    assert reasons(text) == [(4, "NHS number 9434765918 is not valid (its check digit is wrong)")]


def test_columns_in_any_order_and_any_case():
    text = "Family Name,SEX,Given-Name,Date of birth,NHS number\nShaw,F,Grace,1985-03-14,9434765919\n"
    assert rows_of(text)[0][0].values["sex"] == "female"


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("943476591", "NHS number “943476591” is not 10 digits"),
        ("9434765918", "NHS number 9434765918 is not valid (its check digit is wrong)"),
        ("９４３４７６５９１９", "NHS number “９４３４７６５９１９” is not 10 digits"),
    ],
)
def test_an_invalid_nhs_number_is_rejected_with_its_line(cell, reason):
    assert reasons(f"{HEADER}\n{cell},Grace,Shaw,14/03/1985,female\n") == [(2, reason)]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("31/02/1985", "date_of_birth “31/02/1985” is not a real date (use DD/MM/YYYY)"),
        ("14/13/1985", "date_of_birth “14/13/1985” is not a real date (use DD/MM/YYYY)"),
        ("01/01/1850", "date_of_birth “01/01/1850” is not a real date (use DD/MM/YYYY)"),
        ("01/01/2999", "date_of_birth 01/01/2999 is in the future"),
        ("yesterday", "date_of_birth “yesterday” is not a real date (use DD/MM/YYYY)"),
    ],
)
def test_an_impossible_date_is_rejected(cell, reason):
    assert reasons(f"{HEADER}\n9434765919,Grace,Shaw,{cell},female\n") == [(2, reason)]


def test_a_missing_required_column_refuses_the_file():
    with pytest.raises(FileProblem, match="The file has no date_of_birth column"):
        parse("nhs_number,given_name,family_name,sex\n9434765919,Grace,Shaw,female\n")


def test_an_unknown_column_refuses_the_file():
    with pytest.raises(FileProblem, match="a column this list does not take: “phone”"):
        parse(f"{HEADER},phone\n{GRACE},0113\n")


def test_a_column_named_twice_refuses_the_file():
    with pytest.raises(FileProblem, match="names the column sex more than once"):
        parse(f"{HEADER},Sex\n{GRACE},female\n")


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(FileProblem, match="not UTF-8 text.*CSV UTF-8"):
        decode(f"{HEADER}\n9434765919,Zoë,Shaw,14/03/1985,female\n".encode("cp1252"))


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  "])
def test_an_empty_file_is_refused(data):
    with pytest.raises(FileProblem, match="The file is empty"):
        decode(data)


def test_a_header_and_no_patients_is_refused():
    with pytest.raises(FileProblem, match="header row but no patients"):
        parse(f"{HEADER}\n\n,,,,\n")


def test_a_five_megabyte_file_is_refused_with_its_size():
    body = f"{HEADER}\n" + f"{GRACE}\n" * (5 * 1024 * 1024 // (len(GRACE) + 1))
    data = (body + " " * (5 * 1024 * 1024 - len(body))).encode()
    assert len(data) > MAX_BYTES
    with pytest.raises(FileProblem, match=r"The file is 5\.0 MB: a list can be at most 4 MB"):
        decode(data)


def test_formula_looking_cells_are_kept_as_typed():
    text = f'{HEADER},address\n9434765919,=HYPERLINK("http://x"),+Shaw,14/03/1985,female,@SUM(A1)\n'
    values = rows_of(text)[0][0].values
    assert (values["given_name"], values["family_name"], values["address"]) == (
        '=HYPERLINK("http://x")',
        "+Shaw",
        "@SUM(A1)",
    )


def test_the_same_nhs_number_twice_in_a_file_rejects_the_second():
    assert reasons(f"{HEADER}\n{GRACE}\n{GRACE}\n") == [(3, "NHS number 9434765919 is also on line 2")]


def test_a_row_with_too_many_cells_is_rejected():
    assert reasons(f"{HEADER}\n{GRACE},extra\n") == [
        (2, "has 6 cells where the header has 5: check for a comma outside quotes")
    ]


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("sex", "unknown", "sex “unknown” must be female, male or other"),
        ("given_name", "", "given_name is empty"),
        ("given_name", "G" * 81, "given_name is longer than 80 characters"),
        ("given_name", "Gr\x00ace", "given_name contains a character that is not allowed"),
    ],
)
def test_bad_cells_are_rejected_with_the_reason(column, cell, reason):
    values = {"nhs_number": "9434765919", "given_name": "Grace", "family_name": "Shaw", "date_of_birth": "14/03/1985"}
    values["sex"] = "female"
    values[column] = cell
    assert reasons(f"{HEADER}\n{','.join(values.values())}\n") == [(2, reason)]


@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("postcode", "LS1", "postcode “LS1” is not a UK postcode"),
        ("mobile", "12", "mobile “12” is not a phone number"),
        ("email", "grace", "email “grace” is not an email address"),
    ],
)
def test_optional_contact_details_are_checked_when_given(column, cell, reason):
    assert reasons(f"{HEADER},{column}\n{GRACE},{cell}\n") == [(2, reason)]


def test_the_template_is_the_header_row_of_every_column():
    assert template_csv() == (
        "nhs_number,title,given_name,family_name,date_of_birth,sex,address,postcode,mobile,email,nominated_pharmacy\r\n"
    )


def test_the_example_file_reads_without_rejections():
    _columns, rows, rejected = parse(example_csv())
    assert (len(rows), rejected) == (3, [])
