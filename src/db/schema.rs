// @generated automatically by Diesel CLI.

diesel::table! {
    billing_adjustment (id) {
        id -> Int8,
        tenant_id -> Text,
        demand_detail_id -> Uuid,
        kind -> Text,
        amount -> Numeric,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    billing_bill (id) {
        id -> Uuid,
        tenant_id -> Text,
        bill_number -> Text,
        business_service -> Text,
        consumer_code -> Text,
        payer_uuid -> Nullable<Uuid>,
        status -> Text,
        total_amount -> Numeric,
        bill_date -> Timestamptz,
        fingerprint -> Text,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
        source_version -> Int8,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    billing_bill_account_detail (id) {
        id -> Uuid,
        bill_detail_id -> Uuid,
        tenant_id -> Text,
        demand_detail_id -> Uuid,
        tax_head_code -> Text,
        display_order -> Int4,
        amount -> Numeric,
        adjusted_amount -> Numeric,
    }
}

diesel::table! {
    billing_bill_detail (id) {
        id -> Uuid,
        bill_id -> Uuid,
        tenant_id -> Text,
        demand_id -> Uuid,
        from_period -> Timestamptz,
        to_period -> Timestamptz,
        expiry_date -> Nullable<Timestamptz>,
        amount -> Numeric,
        amount_paid -> Numeric,
    }
}

diesel::table! {
    billing_demand (id) {
        id -> Uuid,
        tenant_id -> Text,
        business_service -> Text,
        consumer_code -> Text,
        consumer_type -> Text,
        payer_uuid -> Nullable<Uuid>,
        period_from -> Timestamptz,
        period_to -> Timestamptz,
        status -> Text,
        is_payment_completed -> Bool,
        minimum_amount_payable -> Numeric,
        bill_expiry_time -> Nullable<Int8>,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    billing_demand_detail (id) {
        id -> Uuid,
        demand_id -> Uuid,
        tenant_id -> Text,
        tax_head_code -> Text,
        tax_amount -> Numeric,
        collection_amount -> Numeric,
        additional_details -> Jsonb,
        created_at -> Timestamptz,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    billing_demand_history (id) {
        id -> Int8,
        demand_id -> Uuid,
        tenant_id -> Text,
        reason -> Text,
        snapshot -> Jsonb,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    billing_ledger (tenant_id, business_service, consumer_code) {
        tenant_id -> Text,
        business_service -> Text,
        consumer_code -> Text,
        version -> Int8,
    }
}

diesel::table! {
    collection_allocation (id) {
        id -> Int8,
        payment_detail_id -> Uuid,
        tenant_id -> Text,
        demand_detail_id -> Uuid,
        kind -> Text,
        amount -> Numeric,
    }
}

diesel::table! {
    collection_idempotency (tenant_id, key) {
        tenant_id -> Text,
        key -> Text,
        request_hash -> Bytea,
        payment_id -> Uuid,
        response -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    collection_payment (id) {
        id -> Uuid,
        tenant_id -> Text,
        total_due -> Numeric,
        total_amount_paid -> Numeric,
        payment_mode -> Text,
        transaction_number -> Text,
        transaction_date -> Timestamptz,
        instrument_number -> Nullable<Text>,
        instrument_date -> Nullable<Timestamptz>,
        payment_status -> Text,
        paid_by -> Nullable<Text>,
        payer_uuid -> Nullable<Uuid>,
        payer_name_enc -> Nullable<Text>,
        mobile_hash -> Nullable<Bytea>,
        mobile_enc -> Nullable<Text>,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
        paid_by_enc -> Nullable<Text>,
    }
}

diesel::table! {
    collection_payment_detail (id) {
        id -> Uuid,
        payment_id -> Uuid,
        tenant_id -> Text,
        bill_id -> Uuid,
        business_service -> Text,
        consumer_code -> Text,
        total_due -> Numeric,
        total_amount_paid -> Numeric,
        receipt_number -> Text,
        receipt_date -> Timestamptz,
        receipt_type -> Text,
    }
}

diesel::table! {
    echallan_bill (id) {
        id -> Uuid,
        tenant_id -> Text,
        challan_no -> Text,
        type_of_expense -> Text,
        business_service -> Text,
        tax_head_code -> Text,
        vendor_id -> Uuid,
        vendor_name -> Text,
        amount -> Numeric,
        bill_date -> Date,
        bill_issued_date -> Nullable<Date>,
        tax_period_from -> Date,
        tax_period_to -> Date,
        status -> Text,
        paid_date -> Nullable<Date>,
        demand_id -> Uuid,
        payment_id -> Nullable<Uuid>,
        receipt_number -> Nullable<Text>,
        filestore_id -> Nullable<Text>,
        source -> Text,
        description -> Nullable<Text>,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    echallan_history (id) {
        id -> Int8,
        challan_id -> Uuid,
        tenant_id -> Text,
        action -> Text,
        changes -> Jsonb,
        actor -> Nullable<Uuid>,
        at -> Timestamptz,
    }
}

diesel::table! {
    filestore_file (id) {
        id -> Uuid,
        tenant_id -> Text,
        module -> Text,
        tag -> Nullable<Text>,
        file_name -> Text,
        content_type -> Text,
        bytes -> Nullable<Bytea>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        size -> Int8,
        sha256 -> Text,
        path -> Nullable<Text>,
        unclaimed -> Bool,
    }
}

diesel::table! {
    hrms_employee (id) {
        id -> Int8,
        user_id -> Int8,
        tenant_id -> Text,
        code -> Text,
        employee_status -> Text,
        employee_type -> Text,
        designation -> Nullable<Text>,
        department -> Text,
        date_of_appointment -> Nullable<Date>,
        is_active -> Bool,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    hrms_status_change (id) {
        id -> Int8,
        employee_id -> Int8,
        tenant_id -> Text,
        action -> Text,
        reason -> Text,
        effective_from -> Date,
        order_no -> Nullable<Text>,
        remarks -> Nullable<Text>,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    idgen_sequence (tenant_id, name) {
        tenant_id -> Text,
        name -> Text,
        value -> Int8,
    }
}

diesel::table! {
    localization_message (tenant_id, locale, module, code) {
        tenant_id -> Text,
        locale -> Text,
        module -> Text,
        code -> Text,
        message -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    location_boundary (tenant_id, hierarchy_type, code) {
        tenant_id -> Text,
        hierarchy_type -> Text,
        code -> Text,
        name -> Text,
        label -> Text,
        boundary_num -> Int4,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    mdms_action (id) {
        id -> Int4,
        name -> Text,
        url -> Text,
        display_name -> Text,
        service_code -> Text,
        parent_module -> Text,
        enabled -> Bool,
        order_number -> Int4,
        path -> Text,
        navigation_url -> Nullable<Text>,
        left_icon -> Nullable<Text>,
        right_icon -> Nullable<Text>,
    }
}

diesel::table! {
    mdms_business_service (tenant_id, code) {
        tenant_id -> Text,
        code -> Text,
        business_service -> Text,
        collection_modes_not_allowed -> Array<Text>,
        part_payment_allowed -> Bool,
        is_advance_allowed -> Bool,
        is_voucher_creation_enabled -> Bool,
        is_active -> Bool,
        service_type -> Nullable<Text>,
        demand_update_time -> Nullable<Int8>,
        bill_ginei_url -> Nullable<Text>,
        is_bill_amendment_enabled -> Nullable<Bool>,
    }
}

diesel::table! {
    mdms_expense_type (code) {
        code -> Text,
        name -> Text,
        active -> Bool,
        business_service -> Text,
        tax_head_code -> Text,
    }
}

diesel::table! {
    mdms_id_format (id_name) {
        id_name -> Text,
        format -> Text,
    }
}

diesel::table! {
    mdms_master_record (tenant_id, module, master, position) {
        tenant_id -> Text,
        module -> Text,
        master -> Text,
        position -> Int4,
        data -> Jsonb,
    }
}

diesel::table! {
    mdms_org_unit (code) {
        code -> Text,
        level -> Text,
        name -> Text,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    mdms_penalty (tenant_id, effective_from) {
        tenant_id -> Text,
        effective_from -> Date,
        penalty_type -> Text,
        sub_type -> Text,
        rate -> Nullable<Numeric>,
        amount -> Nullable<Numeric>,
        min_amount -> Nullable<Numeric>,
        flat_amount -> Nullable<Numeric>,
        applicable_after_days -> Int4,
        from_fy -> Nullable<Text>,
        starting_day -> Nullable<Text>,
    }
}

diesel::table! {
    mdms_pspcl_account (tenant_id, account_number) {
        tenant_id -> Text,
        account_number -> Text,
        department_entity_code -> Text,
        department_entity_name -> Text,
    }
}

diesel::table! {
    mdms_role (code) {
        code -> Text,
        name -> Text,
        description -> Text,
    }
}

diesel::table! {
    mdms_role_action (tenant_id, role_code, action_id) {
        tenant_id -> Text,
        role_code -> Text,
        action_id -> Int4,
    }
}

diesel::table! {
    mdms_seed_run (id) {
        id -> Int8,
        source_hash -> Text,
        loaded_at -> Timestamptz,
        counts -> Jsonb,
    }
}

diesel::table! {
    mdms_tariff (id) {
        id -> Text,
        description -> Text,
    }
}

diesel::table! {
    mdms_tariff_row (tariff_id, building_type, connection_type, calculation_attribute) {
        tariff_id -> Text,
        slab_id -> Text,
        building_type -> Text,
        connection_type -> Text,
        calculation_attribute -> Text,
        minimum_charge -> Numeric,
    }
}

diesel::table! {
    mdms_tariff_slab (tariff_id, building_type, connection_type, calculation_attribute, position) {
        tariff_id -> Text,
        building_type -> Text,
        connection_type -> Text,
        calculation_attribute -> Text,
        position -> Int4,
        from_units -> Numeric,
        to_units -> Numeric,
        charge -> Numeric,
        meter_charge -> Numeric,
    }
}

diesel::table! {
    mdms_tax_head (code) {
        code -> Text,
        name -> Text,
        service -> Text,
        category -> Text,
        is_debit -> Bool,
        is_actual_demand -> Bool,
        is_required -> Bool,
        display_order -> Int4,
        is_bill_amend -> Nullable<Bool>,
    }
}

diesel::table! {
    mdms_tax_period_rule (service) {
        service -> Text,
        code_template -> Text,
        period_cycle -> Text,
        first_fy -> Int4,
    }
}

diesel::table! {
    mdms_tenant (code) {
        code -> Text,
        kind -> Text,
        parent_code -> Nullable<Text>,
        name -> Text,
        city_code -> Text,
        district_code -> Nullable<Text>,
        district_name -> Nullable<Text>,
        block_code -> Nullable<Text>,
        block_name -> Nullable<Text>,
        zone_code -> Nullable<Text>,
        circle_code -> Nullable<Text>,
        division_code -> Nullable<Text>,
        division_name -> Nullable<Text>,
        subdivision_code -> Nullable<Text>,
        section_code -> Nullable<Text>,
        office_timings -> Jsonb,
        email_id -> Nullable<Text>,
    }
}

diesel::table! {
    mdms_tenant_tariff (tenant_id, effective_from) {
        tenant_id -> Text,
        effective_from -> Date,
        tariff_id -> Text,
    }
}

diesel::table! {
    notification_outbox (id) {
        id -> Int8,
        tenant_id -> Text,
        channel -> Text,
        template -> Text,
        recipient_hash -> Bytea,
        recipient_enc -> Text,
        body_enc -> Text,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        provider -> Nullable<Text>,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        claim_id -> Nullable<Uuid>,
        claimed_until -> Nullable<Timestamptz>,
        attempted_at -> Nullable<Timestamptz>,
        provider_message_id -> Nullable<Text>,
        provider_answer -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    pg_sandbox_payment (txn_id) {
        txn_id -> Text,
        amount -> Numeric,
        decision -> Text,
        sandbox_txn_id -> Text,
        decided_at -> Timestamptz,
    }
}

diesel::table! {
    pg_transaction (txn_id) {
        txn_id -> Text,
        tenant_id -> Text,
        bill_id -> Uuid,
        business_service -> Text,
        consumer_code -> Text,
        amount -> Numeric,
        gateway -> Text,
        status -> Text,
        status_msg -> Nullable<Text>,
        gateway_ref -> Nullable<Text>,
        gateway_txn_id -> Nullable<Text>,
        gateway_payment_mode -> Nullable<Text>,
        gateway_status_code -> Nullable<Text>,
        gateway_status_msg -> Nullable<Text>,
        receipt -> Nullable<Text>,
        payment_id -> Nullable<Uuid>,
        callback_url -> Text,
        redirect -> Jsonb,
        user_uuid -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        checked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    pg_transaction_dump (id) {
        id -> Int8,
        txn_id -> Nullable<Text>,
        gateway -> Text,
        source -> Text,
        params -> Jsonb,
        outcome -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    property (id) {
        id -> Uuid,
        tenant_id -> Text,
        property_id -> Text,
        status -> Text,
        property_type -> Text,
        usage_category -> Text,
        ownership_category -> Text,
        land_area -> Numeric,
        no_of_floors -> Int4,
        source -> Text,
        channel -> Text,
        door_no -> Nullable<Text>,
        street -> Nullable<Text>,
        locality -> Text,
        owner_uuid -> Uuid,
        owner_name_enc -> Text,
        owner_guardian_enc -> Text,
        owner_gender -> Text,
        owner_mobile_enc -> Text,
        owner_mobile_hash -> Bytea,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
        owner_is_primary -> Nullable<Bool>,
    }
}

diesel::table! {
    shortener_link (short_key) {
        short_key -> Text,
        target -> Text,
        valid_from -> Nullable<Timestamptz>,
        valid_till -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    stateview_gp (tenant_id) {
        tenant_id -> Text,
        households -> Int4,
        last_demand_date -> Nullable<Date>,
        refreshed_at -> Timestamptz,
    }
}

diesel::table! {
    stateview_gp_month (tenant_id, month) {
        tenant_id -> Text,
        month -> Date,
        demand -> Numeric,
        collection -> Numeric,
        expenses_billed -> Numeric,
        expenses_paid -> Numeric,
        households_billed -> Int4,
    }
}

diesel::table! {
    stateview_watermark (id) {
        id -> Int2,
        changed_since -> Timestamptz,
        refreshed_at -> Timestamptz,
    }
}

diesel::table! {
    user_account (id) {
        id -> Int8,
        uuid -> Uuid,
        tenant_id -> Text,
        user_type -> Text,
        user_name_hash -> Bytea,
        user_name_enc -> Text,
        name_enc -> Text,
        mobile_hash -> Nullable<Bytea>,
        mobile_enc -> Nullable<Text>,
        email_enc -> Nullable<Text>,
        father_or_husband_name_enc -> Nullable<Text>,
        gender -> Nullable<Text>,
        locale -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        default_pwd_chgd -> Bool,
        pwd_expiry_at -> Nullable<Timestamptz>,
        active -> Bool,
        locked_until -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    user_history (id) {
        id -> Int8,
        user_id -> Int8,
        tenant_id -> Text,
        action -> Text,
        detail -> Jsonb,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    user_login_failure (id) {
        id -> Int8,
        user_id -> Int8,
        at -> Timestamptz,
    }
}

diesel::table! {
    user_login_failure_unknown (id) {
        id -> Int8,
        tenant_id -> Text,
        user_type -> Text,
        user_name_hash -> Bytea,
        at -> Timestamptz,
    }
}

diesel::table! {
    user_login_lock_unknown (user_name_hash, tenant_id, user_type) {
        tenant_id -> Text,
        user_type -> Text,
        user_name_hash -> Bytea,
        locked_until -> Timestamptz,
    }
}

diesel::table! {
    user_otp (id) {
        id -> Int8,
        tenant_id -> Text,
        mobile_hash -> Bytea,
        purpose -> Text,
        code_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        attempts -> Int4,
        used_at -> Nullable<Timestamptz>,
        client_hash -> Nullable<Bytea>,
    }
}

diesel::table! {
    user_role (user_id, tenant_id, role_code) {
        user_id -> Int8,
        role_code -> Text,
        tenant_id -> Text,
    }
}

diesel::table! {
    user_session (id_hash) {
        id_hash -> Bytea,
        user_id -> Int8,
        tenant_id -> Nullable<Text>,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    user_token (token_hash) {
        token_hash -> Bytea,
        user_id -> Int8,
        kind -> Text,
        pair_hash -> Nullable<Bytea>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        family_id -> Uuid,
        rotated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    userevent_event (id) {
        id -> Uuid,
        tenant_id -> Text,
        event_type -> Text,
        event_category -> Nullable<Text>,
        name -> Text,
        description -> Text,
        source -> Text,
        posted_by -> Text,
        reference_id -> Nullable<Text>,
        localization_code -> Text,
        attributes -> Jsonb,
        action_urls -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    userevent_last_access (user_uuid) {
        user_uuid -> Uuid,
        last_access_at -> Timestamptz,
    }
}

diesel::table! {
    userevent_recipient (id) {
        id -> Int8,
        event_id -> Uuid,
        user_uuid -> Nullable<Uuid>,
        role_code -> Nullable<Text>,
    }
}

diesel::table! {
    userevent_state (event_id, user_uuid) {
        event_id -> Uuid,
        user_uuid -> Uuid,
        status -> Text,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    vendor_account (id) {
        id -> Uuid,
        tenant_id -> Text,
        name -> Text,
        owner_uuid -> Uuid,
        mobile_hash -> Bytea,
        status -> Text,
        address -> Jsonb,
        source -> Nullable<Text>,
        description -> Nullable<Text>,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
    }
}

diesel::table! {
    water_bulk_demand_batch (id) {
        id -> Uuid,
        tenant_id -> Text,
        period_from -> Timestamptz,
        period_to -> Timestamptz,
        status -> Text,
        requested_by -> Nullable<Uuid>,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        targets -> Int4,
        created -> Int4,
        skipped -> Int4,
        message -> Nullable<Text>,
    }
}

diesel::table! {
    water_connection (id) {
        id -> Uuid,
        tenant_id -> Text,
        property_id -> Uuid,
        connection_no -> Text,
        application_no -> Text,
        old_connection_no -> Text,
        status -> Text,
        application_status -> Text,
        connection_type -> Text,
        connection_category -> Text,
        meter_id -> Nullable<Text>,
        meter_installation_date -> Nullable<Timestamptz>,
        previous_reading_date -> Timestamptz,
        initial_meter_reading -> Nullable<Int4>,
        arrears -> Numeric,
        penalty -> Numeric,
        advance -> Numeric,
        category -> Nullable<Text>,
        sub_category -> Nullable<Text>,
        aadhaar_enc -> Nullable<Text>,
        proposed_taps -> Int4,
        no_of_taps -> Int4,
        proposed_pipe_size -> Numeric,
        remarks -> Nullable<Text>,
        additional_details -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_modified_by -> Nullable<Uuid>,
        last_modified_at -> Timestamptz,
        holder_is_primary -> Nullable<Bool>,
        payment_type -> Nullable<Text>,
    }
}

diesel::table! {
    water_connection_history (id) {
        id -> Int8,
        connection_id -> Uuid,
        tenant_id -> Text,
        action -> Text,
        changes -> Jsonb,
        actor -> Nullable<Uuid>,
        at -> Timestamptz,
    }
}

diesel::table! {
    water_connection_mobile (connection_id, mobile_hash) {
        connection_id -> Uuid,
        tenant_id -> Text,
        mobile_hash -> Bytea,
        since -> Timestamptz,
    }
}

diesel::table! {
    water_feedback (id) {
        id -> Uuid,
        tenant_id -> Text,
        connection_no -> Text,
        payment_id -> Uuid,
        period_from -> Timestamptz,
        period_to -> Timestamptz,
        happy_water_supply -> Int2,
        water_supply_regular -> Int2,
        water_quality_good -> Int2,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    water_meter_reading (id) {
        id -> Uuid,
        tenant_id -> Text,
        connection_id -> Uuid,
        billing_period -> Text,
        last_reading -> Int4,
        last_reading_date -> Timestamptz,
        current_reading -> Int4,
        current_reading_date -> Timestamptz,
        consumption -> Nullable<Int4>,
        meter_status -> Text,
        demand_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    water_upi (tenant_id) {
        tenant_id -> Text,
        vpa -> Text,
        payee_name -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(billing_adjustment -> billing_demand_detail (demand_detail_id));
diesel::joinable!(billing_adjustment -> mdms_tenant (tenant_id));
diesel::joinable!(billing_bill -> mdms_tenant (tenant_id));
diesel::joinable!(billing_bill_account_detail -> billing_bill_detail (bill_detail_id));
diesel::joinable!(billing_bill_account_detail -> billing_demand_detail (demand_detail_id));
diesel::joinable!(billing_bill_account_detail -> mdms_tax_head (tax_head_code));
diesel::joinable!(billing_bill_account_detail -> mdms_tenant (tenant_id));
diesel::joinable!(billing_bill_detail -> billing_bill (bill_id));
diesel::joinable!(billing_bill_detail -> billing_demand (demand_id));
diesel::joinable!(billing_bill_detail -> mdms_tenant (tenant_id));
diesel::joinable!(billing_demand -> mdms_tenant (tenant_id));
diesel::joinable!(billing_demand_detail -> billing_demand (demand_id));
diesel::joinable!(billing_demand_detail -> mdms_tax_head (tax_head_code));
diesel::joinable!(billing_demand_detail -> mdms_tenant (tenant_id));
diesel::joinable!(billing_demand_history -> billing_demand (demand_id));
diesel::joinable!(billing_demand_history -> mdms_tenant (tenant_id));
diesel::joinable!(billing_ledger -> mdms_tenant (tenant_id));
diesel::joinable!(collection_allocation -> billing_demand_detail (demand_detail_id));
diesel::joinable!(collection_allocation -> collection_payment_detail (payment_detail_id));
diesel::joinable!(collection_allocation -> mdms_tenant (tenant_id));
diesel::joinable!(collection_idempotency -> collection_payment (payment_id));
diesel::joinable!(collection_idempotency -> mdms_tenant (tenant_id));
diesel::joinable!(collection_payment -> mdms_tenant (tenant_id));
diesel::joinable!(collection_payment_detail -> billing_bill (bill_id));
diesel::joinable!(collection_payment_detail -> collection_payment (payment_id));
diesel::joinable!(collection_payment_detail -> mdms_tenant (tenant_id));
diesel::joinable!(echallan_bill -> billing_demand (demand_id));
diesel::joinable!(echallan_bill -> collection_payment (payment_id));
diesel::joinable!(echallan_bill -> mdms_expense_type (type_of_expense));
diesel::joinable!(echallan_bill -> mdms_tenant (tenant_id));
diesel::joinable!(echallan_bill -> vendor_account (vendor_id));
diesel::joinable!(echallan_history -> echallan_bill (challan_id));
diesel::joinable!(echallan_history -> mdms_tenant (tenant_id));
diesel::joinable!(filestore_file -> mdms_tenant (tenant_id));
diesel::joinable!(hrms_employee -> mdms_tenant (tenant_id));
diesel::joinable!(hrms_employee -> user_account (user_id));
diesel::joinable!(hrms_status_change -> hrms_employee (employee_id));
diesel::joinable!(hrms_status_change -> mdms_tenant (tenant_id));
diesel::joinable!(idgen_sequence -> mdms_tenant (tenant_id));
diesel::joinable!(localization_message -> mdms_tenant (tenant_id));
diesel::joinable!(location_boundary -> mdms_tenant (tenant_id));
diesel::joinable!(mdms_business_service -> mdms_tenant (tenant_id));
diesel::joinable!(mdms_expense_type -> mdms_tax_head (tax_head_code));
diesel::joinable!(mdms_master_record -> mdms_tenant (tenant_id));
diesel::joinable!(mdms_penalty -> mdms_tenant (tenant_id));
diesel::joinable!(mdms_pspcl_account -> mdms_tenant (tenant_id));
diesel::joinable!(mdms_role_action -> mdms_action (action_id));
diesel::joinable!(mdms_role_action -> mdms_role (role_code));
diesel::joinable!(mdms_role_action -> mdms_tenant (tenant_id));
diesel::joinable!(mdms_tariff_row -> mdms_tariff (tariff_id));
diesel::joinable!(mdms_tenant_tariff -> mdms_tariff (tariff_id));
diesel::joinable!(mdms_tenant_tariff -> mdms_tenant (tenant_id));
diesel::joinable!(notification_outbox -> mdms_tenant (tenant_id));
diesel::joinable!(property -> mdms_tenant (tenant_id));
diesel::joinable!(user_account -> mdms_tenant (tenant_id));
diesel::joinable!(user_history -> mdms_tenant (tenant_id));
diesel::joinable!(user_history -> user_account (user_id));
diesel::joinable!(user_login_failure -> user_account (user_id));
diesel::joinable!(user_otp -> mdms_tenant (tenant_id));
diesel::joinable!(user_role -> mdms_role (role_code));
diesel::joinable!(user_role -> mdms_tenant (tenant_id));
diesel::joinable!(user_role -> user_account (user_id));
diesel::joinable!(user_session -> mdms_tenant (tenant_id));
diesel::joinable!(user_session -> user_account (user_id));
diesel::joinable!(user_token -> user_account (user_id));
diesel::joinable!(userevent_event -> mdms_tenant (tenant_id));
diesel::joinable!(userevent_recipient -> mdms_role (role_code));
diesel::joinable!(userevent_recipient -> userevent_event (event_id));
diesel::joinable!(userevent_state -> userevent_event (event_id));
diesel::joinable!(vendor_account -> mdms_tenant (tenant_id));
diesel::joinable!(water_bulk_demand_batch -> mdms_tenant (tenant_id));
diesel::joinable!(water_connection -> mdms_tenant (tenant_id));
diesel::joinable!(water_connection -> property (property_id));
diesel::joinable!(water_connection_history -> mdms_tenant (tenant_id));
diesel::joinable!(water_connection_history -> water_connection (connection_id));
diesel::joinable!(water_connection_mobile -> mdms_tenant (tenant_id));
diesel::joinable!(water_connection_mobile -> water_connection (connection_id));
diesel::joinable!(water_meter_reading -> billing_demand (demand_id));
diesel::joinable!(water_meter_reading -> mdms_tenant (tenant_id));
diesel::joinable!(water_meter_reading -> water_connection (connection_id));

diesel::allow_tables_to_appear_in_same_query!(
    billing_adjustment,
    billing_bill,
    billing_bill_account_detail,
    billing_bill_detail,
    billing_demand,
    billing_demand_detail,
    billing_demand_history,
    billing_ledger,
    collection_allocation,
    collection_idempotency,
    collection_payment,
    collection_payment_detail,
    echallan_bill,
    echallan_history,
    filestore_file,
    hrms_employee,
    hrms_status_change,
    idgen_sequence,
    localization_message,
    location_boundary,
    mdms_action,
    mdms_business_service,
    mdms_expense_type,
    mdms_id_format,
    mdms_master_record,
    mdms_org_unit,
    mdms_penalty,
    mdms_pspcl_account,
    mdms_role,
    mdms_role_action,
    mdms_seed_run,
    mdms_tariff,
    mdms_tariff_row,
    mdms_tariff_slab,
    mdms_tax_head,
    mdms_tax_period_rule,
    mdms_tenant,
    mdms_tenant_tariff,
    notification_outbox,
    pg_sandbox_payment,
    pg_transaction,
    pg_transaction_dump,
    property,
    shortener_link,
    stateview_gp,
    stateview_gp_month,
    stateview_watermark,
    user_account,
    user_history,
    user_login_failure,
    user_login_failure_unknown,
    user_login_lock_unknown,
    user_otp,
    user_role,
    user_session,
    user_token,
    userevent_event,
    userevent_last_access,
    userevent_recipient,
    userevent_state,
    vendor_account,
    water_bulk_demand_batch,
    water_connection,
    water_connection_history,
    water_connection_mobile,
    water_feedback,
    water_meter_reading,
    water_upi,
);
