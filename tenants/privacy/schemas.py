from network.core.validation import FormSchema, integer_field, text_field


class RetentionSettingsSchema(FormSchema):
    # Empty: the network's default (config).
    months_after_last_process = integer_field(1, 120, required=False)
    import_days = integer_field(1, 365, required=False)

    def load(self, data, **kwargs):
        return super().load({key: value for key, value in data.items() if value != ""}, **kwargs)


class ErasureSchema(FormSchema):
    reason = text_field(500)
