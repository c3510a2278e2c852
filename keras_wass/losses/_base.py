"""Shared base for keras_wass losses."""

import keras


class ConfigLoss(keras.losses.Loss):
    """A ``keras.losses.Loss`` whose config is its constructor arguments.

    Subclasses list their own arguments in ``_config_keys``; ``get_config``
    returns those plus Keras's ``name``, ``reduction`` and ``dtype``.
    """

    _config_keys = ()

    def get_config(self):
        config = super().get_config()
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config
