from wtforms import IntegerField


class NumberField(IntegerField):
    """A whole number typed as text, with our own message when it is not one."""

    def __init__(self, label=None, validators=None, message="Enter a number", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.not_a_number = message

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(self.not_a_number) from None
        else:
            self.data = None
