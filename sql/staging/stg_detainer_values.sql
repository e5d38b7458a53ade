-- Each load's dictionary (raw.detainer_values): per text field and value id, the value as
-- published and the canonical fields derived from it. Read one field's values with
-- macros.field_values, joined on (load_key, value_id).
-- depends on: raw.detainer_values
-- materialized: view
select
    load_key,
    field,
    value_id,
    value,
    detainer_form,
    facility_name,
    facility_is_placeholder,
    state_code,
    outcome,
from raw.detainer_values
