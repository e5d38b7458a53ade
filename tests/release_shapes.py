"""Files made in the shapes of the releases issue 26 adds, as RELEASES.md and the Deportation
Data Project's reading code (deportationdata/ice, code/, at the commits the catalog pins) show
them: the 2025-ICFO-18038 workbooks, the March 2026 release, DDP's processed Parquet under its
October 2025 names, and DDP's stitched history. What the public record does not show (the
order of the 2025-ICFO-18038 columns, the text of a preamble) is made up, and said so."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.published_shapes import ERO_COLUMNS, ERO_DEFAULTS, ERO_FIELDS, _published, _workbook

# The columns DDP's col_type_overrides name for the 2025-ICFO-18038 workbooks (its
# code/detainers-historical.R at 2875c3c, whose reader stops at any column of a sheet not listed):
# 139 names, of which each file holds about 110 (RELEASES.md; which ones is not known, so every
# one is written here). DDP wrote them with underscores for the spaces of the published names;
# their order is not known.
ICFO_2025_COLUMNS = [name.replace("_", " ") for name in """
Detainer_ID Detainer_Prepare_Date Detainer_Prepare_Fiscal_Year Detainer_Type Detainer_Lift_Reason Detainer_Lift_Reason_Code
Detainer_Lift_Reason2 Detainer_Lift_Reason_Code2 Detainer_Lift_Date Detainer_AOR Program Active_Yes_No
Detainer_Detention_Facility_Code Detainer_Detention_Facility Detainer_Facility_Function Detainer_Facility_Type
Detainer_Facility_Other_Type Other_Detainer_Facility_Name Detainer_Inmate_Number_Type_Code Government_Employee_ID
Return_to_Employee_ID Projected_Release_Day Projected_Release_Month Projected_Release_Year Projected_Release_Date
Arrest_Warrant_Served_Yes_No Arrest_Warrant_Served_Date Deportation_Ordered_Yes_No Active_Investigation_Yes_No
Order_to_Show_Cause_Served_Yes_No Order_to_Show_Cause_Served_Date Biometric_Match_Yes_No Statements_Made_Yes_No
Prior_Felony_Yes_No Multiple_Prior_Misd_Yes_No Violent_Misdemeanor_Yes_No Illegal_Entry_Yes_No Illegal_Reentry_Yes_No
Immigration_Fraud_Yes_No Significant_Risk_Yes_No Other_Removal_Reason_Yes_No Other_Removal_Reason Aggravated_Felony_Yes_No
Criminal_Street_Gang_Yes_No Detainer_Request_Upon_Conviction_Yes_No Resume_Custody_Yes_No Component_Notified
Previous_Detainer_Cancel_Yes_No Previous_Detainer_Cancel_Prep_Date Unlawful_Entry_Yes_No Unlawful_Attempt_Yes_No
Final_Order_Yes_No Final_Order_Date Federal_Interest_Yes_No Visa_Yes_No Death_Transfer_Notify_Request_Yes_No
Federal_Register_Notice_Yes_No Notify_Release_Request_Yes_No Request_Acceptance_Yes_No Return_Signature_Request_Yes_No
Return_Envelope_Include_Yes_No Return_by_Fax_Yes_No Apprehension_AOR Apprehension_Site Apprehension_Site_Landmark
Apprehension_Final_Program Apprehension_Method Apprehension_Program Apprehension_Program_Group Apprehension_Date
Port_of_Departure Departure_Country Departed_Date Case_Category Gender Birth_Country Birth_City Birth_State Birth_Date
Birth_Year Citizenship_Country Race Ethnicity Admission_Class Student_Violator_Yes_No Non_Immigrant_Status_Violation_Yes_No
Non_Immigrant_Overstay_Yes_No EO_VISA_Abuse_Flag EO_Person_Visa_Abuse_Yes_No EO_Gang_Flag EO_Person_Gang_Flag Entry_Status
Entry_Date Latest_Entry_Status Latest_Entry_Date Detainer_Most_Serious_Conviction_Charge_Code
Detainer_Most_Serious_Conviction_Charge Detainer_Most_Serious_Conviction_Crime_Class
Detainer_Most_Serious_Conviction_Criminal_Charge_Status Detainer_Most_Serious_Conviction_Conviction_Date
Detainer_Most_Serious_Conviction_Charge_Date Detainer_Most_Serious_Conviction_Sentence_Days
Detainer_Most_Serious_Conviction_Sentence_Months Detainer_Most_Serious_Conviction_Sentence_Years
Detainer_Most_Serious_Charge_Code Detainer_Most_Serious_Charge Detainer_Most_Serious_Charge_Crime_Class
Detainer_Most_Serious_Criminal_Charge_Status Detainer_Most_Serious_Charge_Date Most_Serious_Charge_Conviction_Date
Detainer_Most_Serious_Charge_Sentence_Days Detainer_Most_Serious_Charge_Sentence_Months
Detainer_Most_Serious_Charge_Sentence_Years Detainer_Most_Serious_Pending_Charge_Code Detainer_Most_Serious_Pending_Charge
Detainer_Most_Serious_Pending_Criminal_Charge_Status Detainer_Most_Serious_Pending_Crime_Class
Detainer_Most_Serious_Pending_Conviction_Date Detainer_Most_Serious_Pending_Charge_Date
Detainer_Most_Serious_Pending_Sentence_Days Detainer_Most_Serious_Pending_Sentence_Months
Detainer_Most_Serious_Pending_Sentence_Years Aggravated_Felon_Type Mandatory_Detention_Yes_No Detainer_Prepared_Criminality
Detainer_Threat_Level Processing_Disposition Latest_Detainer_Yes_No Detainer_Removal_Case_Yes_No Current_Yes_No EID_DTA_ID
EID_DTA_Create_Date EID_Subject_ID EID_Civilian_ID EID_Person_ID EID_Case_ID Alien_Number_Unique_Identifier
Alien_File_Number Subject_Name
""".split()]
ICFO_2025_FIELDS = {
    "id": "Detainer ID", "prepare": "Detainer Prepare Date", "type": "Detainer Type", "aor": "Detainer AOR",
    "facility": "Detainer Detention Facility", "code": "Detainer Detention Facility Code",
    "criminality": "Detainer Prepared Criminality", "person": "Alien Number Unique Identifier",
    "lift_date": "Detainer Lift Date", "lift_reason": "Detainer Lift Reason", "lift_reason2": "Detainer Lift Reason2",
    "citizenship": "Citizenship Country",
}
# DDP's reader takes as header the first row with a value in the sheet's second column: the
# preamble (made up here) holds text in the first column only.
ICFO_2025_PREAMBLE = [["Detainers FY2017-FY2025 YTD"], ["FOIA 2025-ICFO-18038"]]


def icfo_2025_workbook(path: Path, sheets: dict[str, list[dict]]) -> Path:
    defaults = {"Detainer Type": "I-247A", "Program": "CAP", "Detainer Facility Type": "County Jail",
                "Detainer AOR": "Los Angeles Area of Responsibility", "Race": "White", "Ethnicity": "Hispanic"}
    rows = {name: [_published(r, ICFO_2025_FIELDS, defaults, ICFO_2025_COLUMNS) for r in data] for name, data in sheets.items()}
    return _workbook(path, ICFO_2025_PREAMBLE, ICFO_2025_COLUMNS, rows)


def march_2026_workbook(path: Path, sheet: str, rows: list[dict], birth_date: bool = True) -> Path:
    """A file of the March 2026 release (2026-ICLI-00005): the ero_2023 shape, six preamble rows,
    header on row 7, one sheet per fiscal year; 65 columns, 64 (no Birth Date) for FY2023-FY2024."""
    columns = [c for c in ERO_COLUMNS if birth_date or c != "Birth Date"]
    preamble = [["ICE Enforcement and Removal Operations (ERO) Detainers"], ["FOIA Request Number: 2026-ICLI-00005"],
                [f"{sheet}, data as of 2026-03-11"], ["Note: a person may have several detainers."], [], []]
    return _workbook(path, preamble, columns, {sheet: [_published(r, ERO_FIELDS, ERO_DEFAULTS, columns) for r in rows]})


def _snake(name: str) -> str:
    """janitor::clean_names as DDP calls it, for these names: lower case, words joined by _."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


# DDP's code/detainers-latest.R at 71fb6ae: after cleaning, the October 2025 names.
OCTOBER_2025_NAMES = {
    "detainer_criminality": "detainer_prepared_criminality", "detainer_facility": "detention_facility",
    "detainer_facility_code": "detention_facility_code", "detainer_threat_level": "detainer_prep_threat_level",
    "msc_charge": "most_serious_conviction_charge", "aggravated_felon_yes_no": "felon",
    "toa_case_category": "arrest_time_case_category", "toa_current_program": "arrest_time_current_program",
    "federal_register_notice_yes_no": "federal_interest_yes_no", "anonymized_identifier": "unique_identifier",
    "order_to_show_cause_served_yes_no": "order_show_cause_served_yes_no",
}


def ddp_latest_parquet(path: Path, rows: list[dict], october_2025: bool = True) -> Path:
    """DDP's processed file: every ERO column cleaned to snake_case (under the October 2025 names,
    or the earlier ones), wholly blank columns left out (here Birth Date), dates as DATE, redacted
    cells null, `duplicate_likely` (BOOLEAN) and DDP's provenance columns last."""
    data: dict[str, pa.Array] = {}
    for column in ERO_COLUMNS:
        if column == "Birth Date":
            continue
        name = _snake(column)
        name = OCTOBER_2025_NAMES.get(name, name) if october_2025 else name
        field = next((k for k, v in ERO_FIELDS.items() if v == column), None)
        values = [r.get(field, ERO_DEFAULTS.get(column)) if field else ERO_DEFAULTS.get(column) for r in rows]
        if column == "Detainer Prepare Date":
            data[name] = pa.array(values, pa.date32())
        else:
            data[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    data["duplicate_likely"] = pa.array([False] * len(rows))
    data["file_original"] = pa.array(["2026-ICLI-00005_Detainers_FY25_20260311_Redacted.xlsx"] * len(rows))
    data["sheet_original"] = pa.array(["FY2025"] * len(rows))
    data["row_original"] = pa.array(range(8, 8 + len(rows)), pa.int32())
    pq.write_table(pa.table(data), path)
    return path


def ddp_historical_parquet(path: Path, rows: list[dict]) -> Path:
    """DDP's stitched history (code/detainers-historical.R at 2875c3c): each row keeps its
    release's own names (rows give them as published-column: value), the rest null."""
    names = ["prepare_date", "detainer_id", "detainer_lift_date", "detainer_lift_reason", "detainer_lift_reason2",
             "detainer_type", "detainer_aor", "detention_facility", "detention_facility_code", "detainer_prepared_criminality",
             "unique_identifier", "facility_state", "facility_aor", "detainer_facility", "detainer_facility_code", "facility_city",
             "citizenship_country", "state", "city", "gender", "race"]
    data = {name: pa.array([r.get(name) for r in rows], pa.date32() if name in ("prepare_date", "detainer_lift_date") else pa.string())
            for name in names}
    data["duplicate_episode_id"] = pa.array(range(1, len(rows) + 1), pa.int32())
    data["file_original"] = pa.array([r.get("_file", "") for r in rows])
    data["row_original"] = pa.array(range(1, len(rows) + 1), pa.int32())
    pq.write_table(pa.table(data), path)
    return path


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
