-- The jurisdiction a detainer went to: its normalized facility name and state code, or null
-- when the facility is a placeholder or blank (no known jurisdiction).
-- materialized: macro (facility_name, facility_is_placeholder, state_code)
case
    when facility_is_placeholder then null
    else facility_name || ' | ' || coalesce(state_code, '--')
end
